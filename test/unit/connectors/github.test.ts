import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../../broker/errors.js';
import { httpStatusOf } from '../../../broker/http/status.js';
import { GITHUB_EVENT_NAMES, isGithubPing, mapGithubDelivery } from '../../../connectors/webhook/github.js';

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const RECEIVED = new Date('2024-05-01T12:00:00.000Z');

function headers(event: string, extra: Record<string, string> = {}) {
  return {
    'x-github-event': event,
    'x-github-delivery': DELIVERY,
    'x-github-hook-id': '292430182',
    'user-agent': 'GitHub-Hookshot/044aadd',
    'content-type': 'application/json',
    ...extra,
  };
}

const octocat = {
  login: 'octocat',
  id: 1,
  url: 'https://api.github.com/users/octocat',
  html_url: 'https://github.com/octocat',
  type: 'User',
};

const repository = {
  id: 1296269,
  name: 'Hello-World',
  full_name: 'octocat/Hello-World',
  owner: octocat,
  private: false,
  url: 'https://api.github.com/repos/octocat/Hello-World',
  html_url: 'https://github.com/octocat/Hello-World',
  created_at: '2011-01-26T19:01:12Z',
  updated_at: '2024-04-30T08:15:00Z',
  pushed_at: '2024-05-01T11:59:58Z',
  default_branch: 'main',
};

function mappingError(run: () => unknown): BrokerError {
  try {
    run();
  } catch (error) {
    if (error instanceof BrokerError) return error;
    throw error;
  }
  throw new Error('expected the mapping to fail');
}

describe('mapGithubDelivery: events from the spec table', () => {
  it('push: com.github.push, subject ref, the current time', () => {
    const body = {
      ref: 'refs/heads/main',
      before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      created: false,
      deleted: false,
      forced: false,
      // A push payload writes the repository's times as Unix seconds.
      repository: { ...repository, url: 'https://github.com/octocat/Hello-World', created_at: 1296068472 },
      pusher: { name: 'octocat', email: 'octocat@github.com' },
      sender: octocat,
      commits: [{ id: '0d1a26e6', message: 'Update README.md', timestamp: '2024-05-01T13:59:50+02:00' }],
    };
    expect(mapGithubDelivery(headers('push'), body, RECEIVED)).toEqual({
      type: 'com.github.push',
      source: 'https://github.com/octocat/Hello-World',
      subject: 'refs/heads/main',
      id: DELIVERY,
      time: '2024-05-01T12:00:00.000Z',
    });
  });

  it('push without a receive time leaves time out', () => {
    const result = mapGithubDelivery(headers('push'), { ref: 'refs/tags/v1.0', repository });
    expect(result.time).toBeUndefined();
    expect(result.subject).toBe('refs/tags/v1.0');
  });

  it('pull_request opened: type by action, subject the number, time pull_request.updated_at', () => {
    const body = {
      action: 'opened',
      number: 1347,
      pull_request: {
        url: 'https://api.github.com/repos/octocat/Hello-World/pulls/1347',
        id: 1,
        number: 1347,
        state: 'open',
        title: 'Amazing new feature',
        user: octocat,
        created_at: '2024-05-01T11:58:00Z',
        updated_at: '2024-05-01T11:58:02Z',
        head: { ref: 'new-topic', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e' },
        base: { ref: 'main', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e' },
      },
      repository,
      sender: octocat,
    };
    expect(mapGithubDelivery(headers('pull_request'), body, RECEIVED)).toEqual({
      type: 'com.github.pull_request.opened',
      source: 'https://api.github.com/repos/octocat/Hello-World',
      subject: '1347',
      id: DELIVERY,
      time: '2024-05-01T11:58:02Z',
    });
  });

  it('issues closed: subject issue.number, time issue.updated_at', () => {
    const body = {
      action: 'closed',
      issue: {
        url: 'https://api.github.com/repos/octocat/Hello-World/issues/1347',
        id: 1,
        number: 1347,
        title: 'Found a bug',
        state: 'closed',
        created_at: '2024-04-01T10:00:00Z',
        updated_at: '2024-05-01T09:30:00Z',
        closed_at: '2024-05-01T09:30:00Z',
      },
      repository,
      sender: octocat,
    };
    expect(mapGithubDelivery(headers('issues'), body, RECEIVED)).toEqual({
      type: 'com.github.issues.closed',
      source: 'https://api.github.com/repos/octocat/Hello-World',
      subject: '1347',
      id: DELIVERY,
      time: '2024-05-01T09:30:00Z',
    });
  });

  it('issue_comment created: the source is the issue, the subject the comment', () => {
    const body = {
      action: 'created',
      issue: { url: 'https://api.github.com/repos/octocat/Hello-World/issues/1347', number: 1347 },
      comment: { id: 1146825, body: 'Me too', updated_at: '2024-05-01T10:00:00Z' },
      repository,
      sender: octocat,
    };
    expect(mapGithubDelivery(headers('issue_comment'), body)).toEqual({
      type: 'com.github.issue_comment.created',
      source: 'https://api.github.com/repos/octocat/Hello-World/issues/1347',
      subject: '1146825',
      id: DELIVERY,
      time: '2024-05-01T10:00:00Z',
    });
  });

  describe('release: the timestamp depends on the action', () => {
    const release = {
      url: 'https://api.github.com/repos/octocat/Hello-World/releases/1',
      id: 1,
      tag_name: 'v1.0.0',
      draft: false,
      prerelease: false,
      created_at: '2024-04-30T10:00:00Z',
      published_at: '2024-05-01T08:00:00Z',
      updated_at: '2024-05-01T09:00:00Z',
    };

    it.each([
      ['published', '2024-05-01T08:00:00Z'],
      ['released', '2024-05-01T08:00:00Z'],
      ['prereleased', '2024-05-01T08:00:00Z'],
      ['created', '2024-04-30T10:00:00Z'],
      ['edited', '2024-05-01T09:00:00Z'],
      ['deleted', '2024-05-01T09:00:00Z'],
    ])('%s uses %s', (action, time) => {
      expect(mapGithubDelivery(headers('release'), { action, release, repository, sender: octocat })).toEqual(
        {
          type: `com.github.release.${action}`,
          source: 'https://api.github.com/repos/octocat/Hello-World',
          subject: '1',
          id: DELIVERY,
          time,
        },
      );
    });

    it('an unpublished draft falls back to created_at, then to the receive time', () => {
      const draft = { ...release, published_at: null };
      expect(
        mapGithubDelivery(headers('release'), { action: 'published', release: draft, repository }).time,
      ).toBe('2024-04-30T10:00:00Z');
      const { updated_at: _gone, ...withoutUpdate } = release;
      expect(
        mapGithubDelivery(
          headers('release'),
          { action: 'unpublished', release: withoutUpdate, repository },
          RECEIVED,
        ).time,
      ).toBe(RECEIVED.toISOString());
    });
  });

  it('create: type by ref_type, subject ref', () => {
    const body = { ref: 'v1.2.0', ref_type: 'tag', master_branch: 'main', repository, sender: octocat };
    expect(mapGithubDelivery(headers('create'), body)).toMatchObject({
      type: 'com.github.create.tag',
      source: repository.url,
      subject: 'v1.2.0',
    });
  });

  it('check_run: completed_at, unless null, then started_at', () => {
    const checkRun = { id: 128620228, started_at: '2024-05-01T11:00:00Z', completed_at: null };
    const body = { action: 'created', check_run: checkRun, repository };
    expect(mapGithubDelivery(headers('check_run'), body)).toMatchObject({
      type: 'com.github.check_run.created',
      subject: '128620228',
      time: '2024-05-01T11:00:00Z',
    });
    const done = {
      ...body,
      action: 'completed',
      check_run: { ...checkRun, completed_at: '2024-05-01T11:05:00Z' },
    };
    expect(mapGithubDelivery(headers('check_run'), done).time).toBe('2024-05-01T11:05:00Z');
  });

  it('commit_comment: the source is comment.url + "/" + comment.commit_id', () => {
    const body = {
      action: 'created',
      comment: {
        url: 'https://api.github.com/repos/octocat/Hello-World/comments/11056394',
        id: 11056394,
        commit_id: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
        updated_at: '2024-05-01T10:10:10Z',
      },
      repository,
    };
    expect(mapGithubDelivery(headers('commit_comment'), body)).toEqual({
      type: 'com.github.commit_comment.created',
      source:
        'https://api.github.com/repos/octocat/Hello-World/comments/11056394/6dcb09b5b57875f334f61aebed695e2e4193db5e',
      subject: '11056394',
      id: DELIVERY,
      time: '2024-05-01T10:10:10Z',
    });
  });

  it('deployment_status: type by state, the deployment as source', () => {
    const body = {
      action: 'created',
      deployment_status: {
        url: 'https://api.github.com/repos/octocat/example/deployments/42/statuses/1',
        state: 'success',
        updated_at: '2024-05-01T10:20:00Z',
      },
      deployment: { url: 'https://api.github.com/repos/octocat/example/deployments/42', id: 42 },
      repository,
    };
    expect(mapGithubDelivery(headers('deployment_status'), body)).toEqual({
      type: 'com.github.deployment_status.success',
      source: 'https://api.github.com/repos/octocat/example/deployments/42',
      subject: 'https://api.github.com/repos/octocat/example/deployments/42/statuses/1',
      id: DELIVERY,
      time: '2024-05-01T10:20:00Z',
    });
  });

  it('membership: type is scope then action, the team as source', () => {
    const body = {
      action: 'added',
      scope: 'team',
      member: octocat,
      team: { id: 2, name: 'Justice League', url: 'https://api.github.com/teams/2' },
      organization: { login: 'github', url: 'https://api.github.com/orgs/github' },
    };
    expect(mapGithubDelivery(headers('membership'), body)).toEqual({
      type: 'com.github.membership.team.added',
      source: 'https://api.github.com/teams/2',
      subject: 'octocat',
      id: DELIVERY,
    });
  });

  it('marketplace_purchase: the source is sender.url without the /username portion', () => {
    const body = {
      action: 'purchased',
      effective_date: '2024-05-01T00:00:00+00:00',
      sender: octocat,
      marketplace_purchase: { account: { login: 'acme-corp', type: 'Organization' } },
    };
    expect(mapGithubDelivery(headers('marketplace_purchase'), body)).toEqual({
      type: 'com.github.marketplace_purchase.purchased',
      source: 'https://api.github.com/users',
      subject: 'acme-corp',
      id: DELIVERY,
      time: '2024-05-01T00:00:00+00:00',
    });
  });

  it('security_advisory: the constant source github.com', () => {
    const body = {
      action: 'published',
      security_advisory: { ghsa_id: 'GHSA-rf4j-j272-fj86', updated_at: '2024-05-01T07:00:00Z' },
    };
    expect(mapGithubDelivery(headers('security_advisory'), body)).toEqual({
      type: 'com.github.security_advisory.published',
      source: 'github.com',
      subject: 'GHSA-rf4j-j272-fj86',
      id: DELIVERY,
      time: '2024-05-01T07:00:00Z',
    });
  });

  it('organization: membership.user.login only when available', () => {
    const org = { login: 'github', url: 'https://api.github.com/orgs/github' };
    const added = {
      action: 'member_added',
      organization: org,
      membership: { user: octocat, role: 'member' },
    };
    expect(mapGithubDelivery(headers('organization'), added)).toEqual({
      type: 'com.github.organization.member_added',
      source: 'https://api.github.com/orgs/github',
      subject: 'octocat',
      id: DELIVERY,
    });
    const renamed = { action: 'renamed', organization: org };
    const result = mapGithubDelivery(headers('organization'), renamed);
    expect(result.subject).toBeUndefined();
    expect('subject' in result).toBe(false);
  });

  it('status: type completed by the state, subject sha, time updated_at', () => {
    const body = {
      sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      state: 'failure',
      context: 'ci/build',
      updated_at: '2024-05-01T10:30:00Z',
      repository,
    };
    expect(mapGithubDelivery(headers('status'), body)).toEqual({
      type: 'com.github.status.failure',
      source: repository.url,
      subject: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      id: DELIVERY,
      time: '2024-05-01T10:30:00Z',
    });
  });

  it('repository: the owner as source, the repository name as subject', () => {
    const body = { action: 'archived', repository, sender: octocat };
    expect(mapGithubDelivery(headers('repository'), body)).toEqual({
      type: 'com.github.repository.archived',
      source: 'https://api.github.com/users/octocat',
      subject: 'Hello-World',
      id: DELIVERY,
      time: '2024-04-30T08:15:00Z',
    });
  });

  it("repository_dispatch: the spec's missing dot is added", () => {
    const body = { action: 'deploy-staging', branch: 'main', client_payload: {}, repository };
    expect(mapGithubDelivery(headers('repository_dispatch'), body)).toMatchObject({
      type: 'com.github.repository_dispatch.deploy-staging',
      source: 'https://api.github.com/users/octocat',
    });
  });

  it('star deleted: starred_at null falls back to the receive time, no subject', () => {
    const body = { action: 'deleted', starred_at: null, repository, sender: octocat };
    expect(mapGithubDelivery(headers('star'), body, RECEIVED)).toEqual({
      type: 'com.github.star.deleted',
      source: repository.url,
      id: DELIVERY,
      time: RECEIVED.toISOString(),
    });
  });

  it('workflow_run: subject workflow.name', () => {
    const body = {
      action: 'completed',
      workflow_run: { id: 30433642, status: 'completed', conclusion: 'success' },
      workflow: { id: 159038, name: 'Build' },
      repository,
    };
    expect(mapGithubDelivery(headers('workflow_run'), body)).toMatchObject({
      type: 'com.github.workflow_run.completed',
      subject: 'Build',
    });
  });

  it('team_add: GitHub sends no action, so the type stops at team_add', () => {
    const body = { team: { id: 2, name: 'Justice League' }, repository };
    expect(mapGithubDelivery(headers('team_add'), body)).toMatchObject({
      type: 'com.github.team_add',
      subject: '2',
    });
  });

  it('installation_target: the account at the top level of the payload is the source', () => {
    const body = {
      action: 'renamed',
      account: { login: 'acme', url: 'https://api.github.com/orgs/acme' },
      installation: { id: 55 },
    };
    expect(mapGithubDelivery(headers('installation_target'), body)).toMatchObject({
      type: 'com.github.installation_target.renamed',
      source: 'https://api.github.com/orgs/acme',
      subject: '55',
    });
  });

  it('installation: a timestamp in Unix seconds is turned into RFC 3339', () => {
    const body = {
      action: 'created',
      installation: { id: 1, account: octocat, created_at: 1714557600, updated_at: 1714557600 },
    };
    expect(mapGithubDelivery(headers('installation'), body)).toMatchObject({
      type: 'com.github.installation.created',
      source: 'https://api.github.com/users/octocat',
      subject: '1',
      time: '2024-05-01T10:00:00.000Z',
    });
  });

  it('ignores a named timestamp that is not a timestamp', () => {
    const body = { action: 'opened', number: 1, pull_request: { updated_at: 'yesterday' }, repository };
    expect(mapGithubDelivery(headers('pull_request'), body, RECEIVED).time).toBe(RECEIVED.toISOString());
  });
});

describe('mapGithubDelivery: ping', () => {
  const hook = {
    type: 'Repository',
    id: 292430182,
    active: true,
    events: ['push', 'pull_request'],
    created_at: '2024-05-01T11:59:00Z',
    updated_at: '2024-05-01T11:59:30Z',
  };

  it('a repository hook maps to com.github.ping from the repository', () => {
    const body = { zen: 'Keep it logically awesome.', hook_id: 292430182, hook, repository, sender: octocat };
    expect(mapGithubDelivery(headers('ping'), body)).toEqual({
      type: 'com.github.ping',
      source: 'https://api.github.com/repos/octocat/Hello-World',
      subject: '292430182',
      id: DELIVERY,
      time: '2024-05-01T11:59:30Z',
    });
  });

  it('an organization hook uses the organization as source', () => {
    const body = {
      zen: 'Design for failure.',
      hook_id: 7,
      hook: { ...hook, type: 'Organization' },
      organization: { login: 'github', url: 'https://api.github.com/orgs/github' },
    };
    expect(mapGithubDelivery(headers('ping'), body).source).toBe('https://api.github.com/orgs/github');
  });

  it('still maps with no owner at all, so GitHub does not mark the hook broken', () => {
    expect(mapGithubDelivery(headers('ping'), { zen: 'Speak like a human.', hook_id: 9 })).toEqual({
      type: 'com.github.ping',
      source: 'github.com',
      subject: '9',
      id: DELIVERY,
    });
  });

  it('isGithubPing tells a ping from other events', () => {
    expect(isGithubPing(headers('ping'))).toBe(true);
    expect(isGithubPing({ 'X-GitHub-Event': 'ping' })).toBe(true);
    expect(isGithubPing(headers('push'))).toBe(false);
    expect(isGithubPing({})).toBe(false);
  });
});

describe('mapGithubDelivery: events the spec does not list', () => {
  it('map by the common pattern: com.github.<event>.<action>, repository source, no subject', () => {
    const body = { action: 'added', sub_issue: { id: 5 }, repository };
    expect(mapGithubDelivery(headers('sub_issues'), body)).toEqual({
      type: 'com.github.sub_issues.added',
      source: repository.url,
      id: DELIVERY,
    });
  });

  it('fall back to the organization, and leave out a missing action', () => {
    const body = { organization: { url: 'https://api.github.com/orgs/github' } };
    expect(mapGithubDelivery(headers('personal_access_token_request'), body)).toMatchObject({
      type: 'com.github.personal_access_token_request',
      source: 'https://api.github.com/orgs/github',
    });
  });

  it('fail when nothing can be the source', () => {
    expect(mappingError(() => mapGithubDelivery(headers('brand_new'), { action: 'x' })).detail).toBe(
      'the brand_new payload has none of repository.url, organization.url, sender.url',
    );
  });

  it('do not resolve names inherited by plain objects', () => {
    const body = { action: 'x', repository };
    expect(mapGithubDelivery(headers('constructor'), body).type).toBe('com.github.constructor.x');
    expect(
      mapGithubDelivery(headers('release'), { action: 'constructor', release: { id: 1 }, repository }).type,
    ).toBe('com.github.release.constructor');
  });
});

describe('mapGithubDelivery: headers', () => {
  const body = { ref: 'refs/heads/main', repository };

  it('reads header names case-insensitively', () => {
    const result = mapGithubDelivery({ 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': DELIVERY }, body);
    expect(result).toMatchObject({ type: 'com.github.push', id: DELIVERY });
  });

  it('fails without X-GitHub-Event', () => {
    const error = mappingError(() => mapGithubDelivery({ 'x-github-delivery': DELIVERY }, body));
    expect(error.code).toBe('mapping_failed');
    expect(httpStatusOf(error.code)).toBe(400);
    expect(error.detail).toBe('missing X-GitHub-Event header');
  });

  it('fails without X-GitHub-Delivery', () => {
    const error = mappingError(() => mapGithubDelivery({ 'x-github-event': 'push' }, body));
    expect(error.detail).toBe('missing X-GitHub-Delivery header');
  });

  it('fails on an event name that is not one', () => {
    const error = mappingError(() => mapGithubDelivery(headers('push.evil'), body));
    expect(error.detail).toMatch(/not a GitHub event name/);
  });

  it('treats a header repeated with different values as missing', () => {
    const error = mappingError(() =>
      mapGithubDelivery({ 'x-github-event': ['push', 'issues'], 'x-github-delivery': DELIVERY }, body),
    );
    expect(error.detail).toBe('missing X-GitHub-Event header');
    expect(
      mapGithubDelivery({ 'x-github-event': ['push', 'push'], 'x-github-delivery': DELIVERY }, body).type,
    ).toBe('com.github.push');
  });
});

describe('mapGithubDelivery: missing payload fields', () => {
  it('fails when the body is not a JSON object', () => {
    for (const body of [null, 'text', [1, 2], 42]) {
      expect(mappingError(() => mapGithubDelivery(headers('push'), body)).detail).toBe(
        'the GitHub payload is not a JSON object',
      );
    }
  });

  it('fails without the action a type needs', () => {
    const error = mappingError(() =>
      mapGithubDelivery(headers('issues'), { issue: { number: 1 }, repository }),
    );
    expect(error.code).toBe('mapping_failed');
    expect(error.detail).toBe('the issues payload has no action');
  });

  it('fails without the source field', () => {
    const error = mappingError(() => mapGithubDelivery(headers('push'), { ref: 'refs/heads/main' }));
    expect(error.detail).toBe('the push payload has no repository.url');
  });

  it('fails without a subject the spec names', () => {
    const error = mappingError(() =>
      mapGithubDelivery(headers('issues'), { action: 'opened', issue: {}, repository }),
    );
    expect(error.detail).toBe('the issues payload has no issue.number');
  });

  it('does not accept an object where a scalar is expected', () => {
    const error = mappingError(() =>
      mapGithubDelivery(headers('push'), { ref: { name: 'main' }, repository: { url: repository.url } }),
    );
    expect(error.detail).toBe('the push payload has no ref');
  });
});

describe('GITHUB_EVENT_NAMES', () => {
  it('covers every event section of adapter-github.md, plus ping', () => {
    const specEvents = [
      'branch_protection_configuration',
      'branch_protection_rule',
      'check_run',
      'check_suite',
      'code_scanning_alert',
      'commit_comment',
      'content_reference',
      'create',
      'custom_property',
      'custom_property_values',
      'delete',
      'dependabot_alert',
      'deploy_key',
      'deployment',
      'deployment_protection_rule',
      'deployment_review',
      'deployment_status',
      'discussion',
      'discussion_comment',
      'fork',
      'github_app_authorization',
      'gollum',
      'installation',
      'installation_repositories',
      'installation_target',
      'issue_comment',
      'issues',
      'label',
      'marketplace_purchase',
      'member',
      'membership',
      'merge_group',
      'meta',
      'milestone',
      'organization',
      'org_block',
      'package',
      'page_build',
      'project_card',
      'project_column',
      'project',
      'projects_v2',
      'projects_v2_item',
      'projects_v2_status_update',
      'public',
      'pull_request',
      'pull_request_review',
      'pull_request_review_comment',
      'pull_request_review_thread',
      'push',
      'registry_package',
      'release',
      'repository',
      'repository_advisory',
      'repository_dispatch',
      'repository_import',
      'repository_ruleset',
      'repository_vulnerability_alert',
      'secret_scanning_alert',
      'secret_scanning_alert_location',
      'security_advisory',
      'security_and_analysis',
      'sponsorship',
      'star',
      'status',
      'team',
      'team_add',
      'watch',
      'workflow_dispatch',
      'workflow_job',
      'workflow_run',
    ];
    expect(specEvents).toHaveLength(71);
    expect([...GITHUB_EVENT_NAMES].sort()).toEqual([...specEvents, 'ping'].sort());
  });
});
