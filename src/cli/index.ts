#!/usr/bin/env node
import { runCli } from './program.js';

// An exit code rather than process.exit(): pending output is flushed and `serve` keeps running.
process.exitCode = await runCli(process.argv);
