import { describe, expect, it } from 'vitest';
import { readDeadLetterRequest, readSelection } from '../../../broker/deadletters/request.js';
import { expectBrokerError } from '../expect-broker-error.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('readDeadLetterRequest', () => {
  it('refuses an empty selection unless all is said, for replay and purge alike', () => {
    for (const operation of ['replay', 'purge'] as const) {
      expectBrokerError(() => readDeadLetterRequest({}, operation), 'empty_selection', /--all/);
      expectBrokerError(() => readDeadLetterRequest({ dryRun: true }, operation), 'empty_selection');
      expectBrokerError(() => readDeadLetterRequest({ all: false }, operation), 'empty_selection');
      expect(readDeadLetterRequest({ all: true }, operation)).toEqual({
        selection: {},
        dryRun: false,
        batchSize: 500,
      });
    }
  });

  it('reads every criterion, the target and the options', () => {
    expect(
      readDeadLetterRequest(
        {
          subscription: 'orders',
          ids: ['a', 'b'],
          reason: 'permanent',
          since: '2024-05-01T10:00:00Z',
          until: 'PT1H',
          to: 'audit',
          dryRun: true,
          batchSize: 50,
        },
        'replay',
        NOW,
      ),
    ).toEqual({
      selection: {
        subscription: 'orders',
        ids: ['a', 'b'],
        reason: 'permanent',
        since: Date.parse('2024-05-01T10:00:00Z'),
        until: NOW - 3_600_000,
      },
      to: 'audit',
      dryRun: true,
      batchSize: 50,
    });
  });

  it('refuses what it cannot read, naming the field', () => {
    expectBrokerError(
      () => readDeadLetterRequest({ subscription: 3 }, 'replay'),
      'bad_request',
      /"subscription"/,
    );
    expectBrokerError(() => readDeadLetterRequest({ ids: [] }, 'replay'), 'bad_request', /"ids"/);
    expectBrokerError(() => readDeadLetterRequest({ ids: ['a', ''] }, 'replay'), 'bad_request', /"ids"/);
    expectBrokerError(
      () => readDeadLetterRequest({ since: 'yesterday' }, 'replay'),
      'bad_request',
      /"since" must be/,
    );
    expectBrokerError(
      () => readDeadLetterRequest({ until: 'P1Y' }, 'replay'),
      'bad_request',
      /"until": bad duration "P1Y": years and months have no fixed length/,
    );
    expectBrokerError(
      () => readDeadLetterRequest({ since: 'PT1M', until: 'PT1H' }, 'replay', NOW),
      'bad_request',
      /"since" is after "until"/,
    );
    expectBrokerError(() => readDeadLetterRequest({ all: 'yes' }, 'replay'), 'bad_request', /"all"/);
    expectBrokerError(
      () => readDeadLetterRequest({ all: true, to: 'Not A Name' }, 'replay'),
      'bad_request',
      /"to"/,
    );
    expectBrokerError(
      () => readDeadLetterRequest({ all: true, to: 'x' }, 'purge'),
      'bad_request',
      /replay only/,
    );
    expectBrokerError(
      () => readDeadLetterRequest({ all: true, batchSize: 0 }, 'replay'),
      'bad_request',
      /batchSize/,
    );
    expectBrokerError(
      () => readDeadLetterRequest({ all: true, batchSize: 10_001 }, 'replay'),
      'bad_request',
      /batchSize/,
    );
  });

  it('takes one id as a list of one, and a leap second', () => {
    expect(readSelection({ ids: 'a' })).toEqual({ ids: ['a'] });
    expect(readSelection({ since: '2016-12-31T23:59:60Z' })).toEqual({
      since: Date.parse('2017-01-01T00:00:00Z'),
    });
  });
});
