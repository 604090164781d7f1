import htm from 'htm';
import { h } from 'preact';

/** Tagged templates for preact (no JSX step: esbuild bundles the TypeScript as it is). */
export const html = htm.bind(h);
