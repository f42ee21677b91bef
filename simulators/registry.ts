import { boxDemo } from './box/demo.js';
import type { RunningSimulator, SimulatorDemo } from './common/demo.js';
import { dropboxDemo } from './dropbox/demo.js';
import { googleWorkspaceDemo } from './google-workspace/demo.js';
import { office365Demo } from './office365/demo.js';
import { oktaDemo } from './okta/demo.js';
import { serviceNowDemo } from './servicenow/demo.js';
import { awsDemo } from './aws/demo.js';
import { salesforceDemo } from './salesforce/demo.js';

/** Every provider's simulator, by provider id; adding one is one line here (and one in `ingestors/registry.ts`). */
export const SIMULATORS = {
  okta: oktaDemo,
  office365: office365Demo,
  google_workspace: googleWorkspaceDemo,
  servicenow: serviceNowDemo,
  aws: awsDemo,
  box: boxDemo,
  dropbox: dropboxDemo,
  salesforce: salesforceDemo,
} as const;

export type SimulatedProvider = keyof typeof SIMULATORS;
/** The running simulator of a provider, as its demo starts it. */
export type SimulatorOf<P extends SimulatedProvider> = (typeof SIMULATORS)[P] extends SimulatorDemo<infer S> ? S : never;

/** The demos as a list, their simulator types erased (for code that treats every provider alike). */
export function simulatorDemos(): Array<SimulatorDemo<RunningSimulator>> {
  return Object.values(SIMULATORS) as Array<SimulatorDemo<RunningSimulator>>;
}
