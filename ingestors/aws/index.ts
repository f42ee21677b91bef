import { actionTable, connectorCapabilities, type ConnectorDefinition, type ConnectorInstance, type CredentialCheck } from '../contract.js';
import { providerStatus } from '../../core/errors.js';
import { awsActions, type AwsActionDeps } from './actions.js';
import { AwsHttp } from './aws-http.js';
import { CloudTrailClient } from './cloudtrail-client.js';
import { AWS_INSTANCE_DEFAULTS, AwsConfigSchema, type AwsConfig } from './config.js';
import { errorCodeOf } from './errors.js';
import { IamClient } from './iam-client.js';
import { awsUnknownEventType } from './event-types.js';
import { normalizeAwsActivity } from './normalize-activity.js';
import { S3Client } from './s3-client.js';
import { PERMISSIONS, accountsStream, bucketsStream, cloudTrailStream } from './streams.js';

const ACTIONS = actionTable((deps: AwsActionDeps) => awsActions(deps), {
  suspend_user: true, unsuspend_user: true, disable_console_login: true, deactivate_access_keys: true, block_public_access: true, restore_sharing: true,
});

/** Answers that mean the credentials themselves are wrong, not a missing permission. */
const BAD_CREDENTIALS = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'InvalidSignatureException', 'InvalidAccessKeyId', 'ExpiredToken', 'ExpiredTokenException']);

export const aws: ConnectorDefinition<AwsConfig> = {
  id: 'aws',
  displayName: 'AWS',
  configSchema: AwsConfigSchema,
  capabilities: connectorCapabilities(['accounts', 'groups', 'privileges', 'activities:logon', 'activities:admin', 'files:periodic'], ACTIONS),
  actions: ACTIONS,
  instanceDefaults: AWS_INSTANCE_DEFAULTS,
  normalizeActivity: normalizeAwsActivity,
  unknownEventType: awsUnknownEventType,
  serviceIdentities: (config) => [config.accessKeyId],

  create(ctx): ConnectorInstance {
    const { config } = ctx;
    const aws = new AwsHttp(ctx);
    const iam = new IamClient(aws.iam(), config.iamPageSize);
    const s3 = new S3Client(aws, config.accountId);
    const trails = config.regions.map((region) => ({ region, client: new CloudTrailClient(aws.cloudtrail(region), config.lookupPageSize) }));

    return {
      http: aws,
      actions: ACTIONS.build({ iam, s3 }),
      async checkCredentials(): Promise<CredentialCheck> {
        const probes = [
          { permission: PERMISSIONS.activities, capabilities: ['activities:logon', 'activities:admin'] as const, run: () => trails[0]!.client.probe() },
          { permission: PERMISSIONS.accounts, capabilities: ['accounts', 'groups', 'privileges'] as const, run: () => iam.api.call('GetAccountAuthorizationDetails', { 'Filter.member.1': 'User', MaxItems: 1 }) },
          { permission: PERMISSIONS.files, capabilities: ['files:periodic'] as const, run: () => s3.buckets() },
        ];
        const permissions: string[] = [];
        const missing: CredentialCheck['missing'] = [];
        let ok = true;
        for (const probe of probes) {
          try {
            await probe.run();
            permissions.push(probe.permission);
          } catch (err) {
            const status = providerStatus(err);
            const code = errorCodeOf(err) ?? errorCodeOf((err as { cause?: unknown }).cause);
            const badCredentials = code !== null && BAD_CREDENTIALS.has(code);
            // JSON-protocol services (CloudTrail) refuse a bad signature with HTTP 400.
            if (status !== 403 && status !== 401 && !badCredentials) throw err;
            if (badCredentials) ok = false;
            for (const capability of probe.capabilities) missing.push({ capability, permission: probe.permission, reason: `missing permission: ${probe.permission} (${code ?? `HTTP ${status}`})` });
          }
        }
        return { ok, permissions, missing };
      },
      activityStreams: trails.map(({ region, client }) => cloudTrailStream(region, client)),
      snapshotStreams: [accountsStream(iam, config.accountId), bucketsStream(s3, config.accountId)],
    };
  },
};
