import { simulatorDemo } from '../common/demo.js';
import { startAwsSimulator } from './simulator.js';

/** An AWS account: CloudTrail in two Regions, IAM, S3 buckets, read by assuming the audit role with its external id. */
export const awsDemo = simulatorDemo({
  provider: 'aws',
  title: 'AWS account',
  start: ({ log, seed, small }) => startAwsSimulator({ log, seed, ...(small ? { users: 6, eventsPerDay: 150, days: 1 } : { users: 16, eventsPerDay: 600, days: 2 }) }),
  connectorSettings: (sim) => ({
    accountId: sim.account.accountId,
    accessKeyId: sim.credentials.accessKeyId,
    secretAccessKey: sim.credentials.secretAccessKey,
    roleArn: sim.credentials.roleArn,
    externalId: sim.credentials.externalId,
    regions: [...sim.regions],
    cloudtrailUrl: sim.url, iamUrl: sim.url, stsUrl: sim.url, s3Url: sim.url, s3ControlUrl: sim.url,
  }),
  exampleUser: (sim) => sim.account.users[1]?.UserName ?? '',
});
