#!/usr/bin/env node
// The built CLI lives in dist/ (`npm run build`, run by `npm install` through `prepare`).
import { main } from '../dist/core/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
