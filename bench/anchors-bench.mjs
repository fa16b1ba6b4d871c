#!/usr/bin/env node
// Runner entry of the anchors benchmark (see bench/anchors/main.ts): loads the TypeScript
// sources through tsx, so that `node bench/anchors-bench.mjs WORKLOAD --connect ...` works
// without a build step and always measures the current tree.
import { register } from 'tsx/esm/api';

register();
await import('./anchors/main.ts');
