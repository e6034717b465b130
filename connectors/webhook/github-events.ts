/**
 * The GitHub preset's per-event table, as data: one row per event section of
 * the CloudEvents GitHub adapter specification ("GitHub CloudEvents Adapter"), keyed by the X-GitHub-Event
 * header value, each saying which payload fields give the CloudEvent's `type`, `source`, `subject`
 * and `time`. github.ts reads the rows; nothing here runs.
 *
 * Common to every row (spec): `id` is the X-GitHub-Delivery header, `type` is
 * `com.github.<X-GitHub-Event>` followed by the named payload values (usually `.action`),
 * `source` is `repository.url` unless the row names another field, `datacontenttype` is
 * `application/json` and `data` is the request body (both set by the caller).
 *
 * `time`: rows that name a payload timestamp use it; "Current time" rows, and a named timestamp
 * that is null or absent ("if the proposed value is null, the default timestamp SHOULD be used"),
 * take the time the delivery was received.
 *
 * Where the spec leaves room (its own `#` and `?` notes), the row says what we chose and why.
 */

/** A dotted path into the payload, such as `repository.url`. */
export type PayloadPath = string;

export type SourceRule =
  /** The values of these fields joined with `/` (usually a single field). */
  | { readonly join: readonly PayloadPath[] }
  /** This URL without its last path segment. */
  | { readonly parentOf: PayloadPath }
  /** The first of these fields that is present, else `otherwise` (a mapping failure if unset). */
  | { readonly firstOf: readonly PayloadPath[]; readonly otherwise?: string }
  | { readonly constant: string };

export interface EventRule {
  /** Payload values appended to `com.github.<event>`, each after a `.`. */
  readonly typeFields?: readonly PayloadPath[];
  /** An absent type field is left out of the type instead of failing the mapping. */
  readonly typeFieldsOptional?: boolean;
  /** Defaults to `repository.url`. */
  readonly source?: SourceRule;
  readonly subject?: PayloadPath;
  /** The spec says "if exists" or "when available": an absent subject is left out, not an error. */
  readonly subjectOptional?: boolean;
  /** Candidates in order ("X, unless null, then Y"); none present means the default time. */
  readonly time?: readonly PayloadPath[];
  /** For an action named here, these candidates replace `time`. */
  readonly timeByAction?: Readonly<Record<string, readonly PayloadPath[]>>;
}

/** The source of a row that names none. */
export const DEFAULT_SOURCE: SourceRule = { join: ['repository.url'] };

const ACTION = ['action'] as const;
const REPOSITORY_OWNER = { join: ['repository.owner.url'] } as const;
const DEPLOYMENT = { join: ['deployment.url'] } as const;
const PULL_REQUEST = { join: ['pull_request.url'] } as const;
const INSTALLATION_ACCOUNT = { join: ['installation.account.url'] } as const;
const ORGANIZATION = { join: ['organization.url'] } as const;

/** Keyed by the X-GitHub-Event header value; the comment names the spec's section. */
export const GITHUB_EVENTS: Readonly<Record<string, EventRule>> = {
  // BranchProtectionConfigurationEvent
  branch_protection_configuration: { typeFields: ACTION },
  // BranchProtectionRuleEvent
  branch_protection_rule: { typeFields: ACTION, subject: 'rule.id', time: ['rule.updated_at'] },
  // CheckRunEvent
  check_run: {
    typeFields: ACTION,
    subject: 'check_run.id',
    time: ['check_run.completed_at', 'check_run.started_at'],
  },
  // CheckSuiteEvent
  check_suite: { typeFields: ACTION, subject: 'check_suite.id', time: ['check_suite.updated_at'] },
  // CodeScanningAlertEvent
  code_scanning_alert: { typeFields: ACTION, subject: 'alert.number' },
  // CommitCommentEvent
  commit_comment: {
    typeFields: ACTION,
    source: { join: ['comment.url', 'comment.commit_id'] },
    subject: 'comment.id',
    time: ['comment.updated_at'],
  },
  // ContentReferenceEvent
  content_reference: { typeFields: ACTION, subject: 'content_reference.id' },
  // CreateEvent
  create: { typeFields: ['ref_type'], subject: 'ref' },
  // CustomPropertyEvent
  custom_property: { typeFields: ACTION, subject: 'definition.property_name' },
  // CustomPropertyValuesEvent
  custom_property_values: { typeFields: ACTION },
  // DeleteEvent
  delete: { typeFields: ['ref_type'], subject: 'ref' },
  // DependabotAlertEvent
  dependabot_alert: { typeFields: ACTION, subject: 'alert.id' },
  // DeployKeyEvent
  deploy_key: { typeFields: ACTION, subject: 'key.id', time: ['key.deleted_at', 'key.created_at'] },
  // DeploymentEvent: the spec wonders about a task ("# task?"); we keep the deployment id it names.
  deployment: { subject: 'deployment.id', time: ['deployment.updated_at'] },
  // DeploymentProtectionRuleEvent
  deployment_protection_rule: {
    typeFields: ACTION,
    source: DEPLOYMENT,
    subject: 'deployment.id',
    subjectOptional: true,
  },
  // DeploymentReviewEvent
  deployment_review: { typeFields: ACTION, source: DEPLOYMENT, subject: 'workflow_run.id' },
  // DeploymentStatusEvent
  deployment_status: {
    typeFields: ['deployment_status.state'],
    source: DEPLOYMENT,
    subject: 'deployment_status.url',
    time: ['deployment_status.updated_at'],
  },
  // DiscussionEvent: the spec puts "discussion.updated_at" in the `dataschema` row (a timestamp is
  // not a schema URI) and "Current time" in `time`; we read it as the misplaced time row, so the
  // event carries when the discussion changed, and leave `dataschema` out like every other row.
  discussion: { typeFields: ACTION, subject: 'discussion.id', time: ['discussion.updated_at'] },
  // DiscussionCommentEvent
  discussion_comment: { typeFields: ACTION, subject: 'discussion.id', time: ['comment.updated_at'] },
  // ForkEvent
  fork: { subject: 'forkee.url', time: ['forkee.created_at'] },
  // GitHubAppAuthorizationEvent
  github_app_authorization: { source: { join: ['sender.url'] } },
  // GollumEvent
  gollum: {},
  // InstallationEvent
  installation: {
    typeFields: ACTION,
    source: INSTALLATION_ACCOUNT,
    subject: 'installation.id',
    time: ['installation.updated_at'],
  },
  // InstallationRepositoryEvent (delivered as X-GitHub-Event: installation_repositories)
  installation_repositories: {
    typeFields: ACTION,
    source: INSTALLATION_ACCOUNT,
    subject: 'installation.id',
    time: ['installation.updated_at'],
  },
  // InstallationTargetEvent: GitHub puts the account at the top level of this payload (its
  // `installation` has only an id), so `account.url` follows the spec's field as a candidate.
  installation_target: {
    typeFields: ACTION,
    source: { firstOf: ['installation.account.url', 'account.url'] },
    subject: 'installation.id',
  },
  // IssueCommentEvent
  issue_comment: {
    typeFields: ACTION,
    source: { join: ['issue.url'] },
    subject: 'comment.id',
    time: ['comment.updated_at'],
  },
  // IssuesEvent
  issues: { typeFields: ACTION, subject: 'issue.number', time: ['issue.updated_at'] },
  // LabelEvent
  label: { typeFields: ACTION, subject: 'label.name' },
  // MarketplacePurchaseEvent: "sender.url value without the /username portion"
  marketplace_purchase: {
    typeFields: ACTION,
    source: { parentOf: 'sender.url' },
    subject: 'marketplace_purchase.account.login',
    time: ['effective_date'],
  },
  // MemberEvent
  member: { typeFields: ACTION, subject: 'member.login' },
  // MembershipEvent: type is scope, then action; the spec's "### or id ?" note is left open, so
  // we keep the login it names.
  membership: { typeFields: ['scope', 'action'], source: { join: ['team.url'] }, subject: 'member.login' },
  // MergeGroupEvent
  merge_group: { typeFields: ACTION, subject: 'merge_group.head_ref' },
  // MetaEvent
  meta: { typeFields: ACTION, subject: 'hook_id', time: ['hook.updated_at'] },
  // MilestoneEvent
  milestone: { typeFields: ACTION, subject: 'milestone.number', time: ['milestone.updated_at'] },
  // OrganizationEvent
  organization: {
    typeFields: ACTION,
    source: ORGANIZATION,
    subject: 'membership.user.login',
    subjectOptional: true,
  },
  // OrgBlockEvent
  org_block: { typeFields: ACTION, source: ORGANIZATION, subject: 'blocked_user.login' },
  // PackageEvent
  package: { typeFields: ACTION, subject: 'package.id', time: ['package.updated_at', 'package.created_at'] },
  // PageBuildEvent: the spec names "pusher.updated_at", which a page_build payload does not have
  // at the top level; GitHub puts the pusher and the times under `build`, so `build.updated_at`
  // is the next candidate before the default time.
  page_build: { subject: 'build.url', time: ['pusher.updated_at', 'build.updated_at'] },
  // ProjectCardEvent
  project_card: { typeFields: ACTION, subject: 'project_card.id', time: ['project_card.updated_at'] },
  // ProjectColumnEvent
  project_column: { typeFields: ACTION, subject: 'project_column.id', time: ['project_column.updated_at'] },
  // ProjectEvent
  project: { typeFields: ACTION, subject: 'project.id', time: ['project.updated_at'] },
  // ProjectsV2Event
  projects_v2: { typeFields: ACTION, subject: 'projects_v2.id', time: ['projects_v2.updated_at'] },
  // ProjectsV2ItemEvent
  projects_v2_item: {
    typeFields: ACTION,
    subject: 'projects_v2_item.id',
    time: ['projects_v2_item.updated_at'],
  },
  // ProjectsV2StatusUpdateEvent
  projects_v2_status_update: {
    typeFields: ACTION,
    subject: 'projects_v2_status_update.id',
    time: ['projects_v2_status_update.updated_at'],
  },
  // PublicEvent
  public: { source: REPOSITORY_OWNER, subject: 'repository.name', time: ['repository.updated_at'] },
  // PullRequestEvent
  pull_request: { typeFields: ACTION, subject: 'number', time: ['pull_request.updated_at'] },
  // PullRequestReviewEvent
  pull_request_review: {
    typeFields: ACTION,
    source: PULL_REQUEST,
    subject: 'review.id',
    time: ['review.submitted_at'],
  },
  // PullRequestReviewCommentEvent
  pull_request_review_comment: {
    typeFields: ACTION,
    source: PULL_REQUEST,
    subject: 'comment.id',
    time: ['pull_request.updated_at'],
  },
  // PullRequestReviewThreadEvent
  pull_request_review_thread: { typeFields: ACTION, source: PULL_REQUEST, subject: 'pull_request.id' },
  // PushEvent: "Current time" (the spec's "repository.updated_at ??" note is not adopted).
  push: { subject: 'ref' },
  // RegistryPackageEvent
  registry_package: {
    typeFields: ACTION,
    subject: 'registry_package.html_url',
    time: ['registry_package.updated_at'],
  },
  // ReleaseEvent: "release.*_at value based on action". The timestamp that describes each action:
  // published_at for the publishing actions, created_at for created, and updated_at (present in
  // current payloads) for edits, deletions and unpublishing.
  release: {
    typeFields: ACTION,
    subject: 'release.id',
    time: ['release.updated_at'],
    timeByAction: {
      created: ['release.created_at'],
      published: ['release.published_at', 'release.created_at'],
      released: ['release.published_at', 'release.created_at'],
      prereleased: ['release.published_at', 'release.created_at'],
    },
  },
  // RepositoryEvent
  repository: {
    typeFields: ACTION,
    source: REPOSITORY_OWNER,
    subject: 'repository.name',
    time: ['repository.updated_at'],
  },
  // RepositoryAdvisoryEvent
  repository_advisory: {
    typeFields: ACTION,
    subject: 'repository_advisory.ghsa_id',
    time: ['repository_advisory.updated_at'],
  },
  // RepositoryDispatchEvent: the spec writes `com.github.repository_dispatch` + "action" with no
  // dot, unlike all its other rows; we read that as a typo and add the dot.
  repository_dispatch: { typeFields: ACTION, source: REPOSITORY_OWNER },
  // RepositoryImportEvent
  repository_import: {
    source: REPOSITORY_OWNER,
    subject: 'repository.name',
    time: ['repository.updated_at'],
  },
  // RepositoryRulesetEvent: the same missing dot as repository_dispatch, added the same way.
  repository_ruleset: {
    typeFields: ACTION,
    source: REPOSITORY_OWNER,
    subject: 'repository.name',
    time: ['repository.updated_at'],
  },
  // RepositoryVulnerabilityAlertEvent
  repository_vulnerability_alert: { typeFields: ACTION, subject: 'alert.id' },
  // SecretScanningAlertEvent
  secret_scanning_alert: {
    typeFields: ACTION,
    subject: 'alert.number',
    time: ['alert.updated_at', 'alert.created_at'],
  },
  // SecretScanningAlertLocationEvent
  secret_scanning_alert_location: {
    typeFields: ACTION,
    subject: 'alert.number',
    time: ['alert.updated_at', 'alert.created_at'],
  },
  // SecurityAdvisoryEvent: GitHub-wide, so the source is the constant the spec gives.
  security_advisory: {
    typeFields: ACTION,
    source: { constant: 'github.com' },
    subject: 'security_advisory.ghsa_id',
    time: ['security_advisory.updated_at'],
  },
  // SecurityAndAnalysisEvent
  security_and_analysis: {},
  // SponsorshipEvent
  sponsorship: { typeFields: ACTION, subject: 'sponsorship.sponsor.login' },
  // StarEvent
  star: { typeFields: ACTION, time: ['starred_at'] },
  // StatusEvent: the spec writes `com.github.status.` with a trailing dot and "# + state value ?";
  // we complete it with the state (pending, success, failure, error), as deployment_status does.
  status: { typeFields: ['state'], subject: 'sha', time: ['updated_at'] },
  // TeamEvent: "updated_at" is not a top-level field of team payloads, so `team.updated_at` is
  // the next candidate before the default time.
  team: { typeFields: ACTION, subject: 'team.id', time: ['updated_at', 'team.updated_at'] },
  // TeamAddEvent: the row asks for "action", but GitHub's team_add payload has none; requiring
  // it would refuse every real delivery, so the type is `com.github.team_add` then.
  team_add: { typeFields: ACTION, typeFieldsOptional: true, subject: 'team.id' },
  // WatchEvent
  watch: { typeFields: ACTION },
  // WorkflowDispatchEvent
  workflow_dispatch: { subject: 'workflow' },
  // WorkflowJobEvent
  workflow_job: { typeFields: ACTION, subject: 'workflow_job.name' },
  // WorkflowRunEvent
  workflow_run: { typeFields: ACTION, subject: 'workflow.name' },
  // PingEvent is not in the spec. GitHub sends it once when a hook is created, to a repository,
  // organization or GitHub App hook, so the payload may lack a repository: the source is the
  // first owner present, and a ping still maps (to `com.github.ping`) without any, because a
  // failed ping marks the hook broken in GitHub. Whether pings are delivered or only answered is
  // the connector's choice; `isGithubPing` lets it tell.
  ping: {
    source: { firstOf: ['repository.url', 'organization.url', 'sender.url'], otherwise: 'github.com' },
    subject: 'hook_id',
    time: ['hook.updated_at', 'hook.created_at'],
  },
};

/**
 * An event missing from the spec (GitHub adds events over time) still maps, by the spec's
 * common pattern: `com.github.<event>` plus `.<action>` when the payload has one, the
 * repository (or organization, or sender) as source, no subject, the default time.
 */
export const UNLISTED_EVENT: EventRule = {
  typeFields: ACTION,
  typeFieldsOptional: true,
  source: { firstOf: ['repository.url', 'organization.url', 'sender.url'] },
};

/** The X-GitHub-Event values the spec's table covers, plus `ping`. */
export const GITHUB_EVENT_NAMES: readonly string[] = Object.keys(GITHUB_EVENTS);
