// The test harness in one import: real brokers on loopback that a test can crash and bring back.
export type { BrokerHandle, BrokerKind } from './broker-handle.js';
export { externalBrokerUrl, externalBrokerVariable } from './broker-handle.js';
export { createKafkaTopics, kafkaBrokerList, startKafka, uniqueTopicName } from './kafka.js';
export { startMosquitto } from './mosquitto.js';
export { startNats } from './nats.js';
export { freeLoopbackPort } from './ports.js';
export { canMountSmallDisk, mountSmallDisk, type SmallDisk } from './small-disk.js';
export { waitFor } from './wait.js';
