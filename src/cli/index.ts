#!/usr/bin/env -S node --max-semi-space-size=4
import { runCli } from './program.js';

// An exit code rather than process.exit(): pending output is flushed and `serve` keeps running.
process.exitCode = await runCli(process.argv);
