import type { TestProject } from 'vitest/node';
import type { BrokerHandle } from './broker-handle.js';
import { startKafka } from './kafka.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap address (`127.0.0.1:P`, or KAFKA_BROKERS) of the Kafka shared by the whole run. */
    kafkaBrokers: string;
  }
}

/**
 * A vitest globalSetup that starts one Kafka for the whole run, because a JVM broker costs seconds
 * and hundreds of megabytes, and hands its address to every test file through
 * `inject('kafkaBrokers')`. Tests that share it must not stop or kill it: a test that crashes Kafka
 * starts its own with startKafka(). `start` is a parameter so the wiring can be tested without a JVM.
 */
export function kafkaGlobalSetup(start: () => Promise<BrokerHandle> = startKafka) {
  return async function setup(project: Pick<TestProject, 'provide'>): Promise<() => Promise<void>> {
    const kafka = await start();
    project.provide('kafkaBrokers', kafka.url);
    return () => kafka.dispose();
  };
}

export default kafkaGlobalSetup();
