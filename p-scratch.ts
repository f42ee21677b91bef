import { runPolicyCommand } from './cli/policy.js';
const code = await runPolicyCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
