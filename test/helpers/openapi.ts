import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OnezoneClient } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { API_PREFIX } from '../../src/http/paths.js';
import { openZone } from '../../src/zone.js';

/** The OpenAPI document of a fresh zone, as stable JSON text (what docs/openapi.json holds). */
export async function generateOpenApi(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-openapi-'));
  const zone = await openZone(loadConfig(['--data-dir', dataDir, '--http'], { ONEZONE_ADMIN_PASSWORD: 'x'.repeat(12), ONEZONE_LOG_LEVEL: 'warn' }));
  try {
    const res = await zone.app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    return JSON.stringify(res.json(), null, 2) + '\n';
  } finally {
    await zone.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface OpenApiResponse {
  $ref?: string;
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, unknown>;
}

export interface OpenApiOperation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiDocument {
  openapi: string;
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, { properties: Record<string, { enum?: string[] }>; required?: string[] }>;
    responses: Record<string, OpenApiResponse>;
    securitySchemes: Record<string, unknown>;
  };
}

/** An answer of the zone, as the SDK's transport saw it. */
export interface Answer {
  who: string;
  method: string;
  /** Below the API prefix, with any query string; undefined for paths outside it (`/metrics`). */
  path: string | undefined;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the text, or undefined for an empty body. */
  body: unknown;
}

/** Records every answer `api` gets into `answers`, labelled `who`. */
export function recordAnswers<T extends OnezoneClient>(api: T, who: string, answers: Answer[]): T {
  const transport = api.http;
  const raw = transport.raw.bind(transport);
  transport.raw = async (...args: Parameters<typeof raw>) => {
    const res = await raw(...args);
    const [method, path] = args;
    const outside = (args as unknown[])[3] === 'server' || path.startsWith('..');
    answers.push({ who, method, path: outside ? undefined : path, status: res.status, headers: res.headers, body: res.body });
    return res;
  };
  return api;
}

/** The operation the router would pick for a concrete path: literal segments win over parameters. */
export function operationOf(doc: OpenApiDocument, method: string, path: string): OpenApiOperation | undefined {
  const segments = path.split('?')[0]!.split('/');
  let best: { op: OpenApiOperation; literals: number } | undefined;
  for (const [template, ops] of Object.entries(doc.paths)) {
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    if (!parts.every((p, i) => p.startsWith('{') || p === segments[i])) continue;
    const op = ops[method.toLowerCase()];
    const literals = parts.filter((p) => !p.startsWith('{')).length;
    if (op && (!best || literals > best.literals)) best = { op, literals };
  }
  return best?.op;
}

/** Error statuses the `default` response stands for (src/http/openapi.ts); any other must be listed. */
const GENERIC_ERRORS = new Set([405, 408, 431, 500, 503]);

/** How `answer` disagrees with the document, in words; empty when it agrees. */
export function disagreements(doc: OpenApiDocument, answer: Answer): string[] {
  if (answer.path === undefined) return [];
  const label = `${answer.method} ${answer.path} -> ${answer.status} (${answer.who})`;
  // A 405 is for a method the path lacks: any of the path's operations documents it (as `default`).
  const methods = answer.status === 405 ? ['get', 'post', 'put', 'patch', 'delete'] : [answer.method];
  const op = methods.map((m) => operationOf(doc, m, answer.path!)).find((o) => o !== undefined);
  if (!op) return [`${label}: no such operation in the document`];
  const declared = op.responses[String(answer.status)] ?? (GENERIC_ERRORS.has(answer.status) ? op.responses.default : undefined);
  if (!declared) return [`${label}: ${op.operationId} documents only ${Object.keys(op.responses).join(', ')}`];
  const response = declared.$ref ? doc.components.responses[declared.$ref.split('/').pop()!]! : declared;
  const problems: string[] = [];
  const type = String(answer.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!response.content) {
    if (answer.body !== undefined) problems.push(`${label}: documented without a body, but one was sent`);
  } else if (!(type in response.content)) {
    problems.push(`${label}: sent ${type || 'no body'}, documented ${Object.keys(response.content).join(', ')}`);
  }
  const documentsLocation = Object.keys(response.headers ?? {}).some((h) => h.toLowerCase() === 'location');
  if (documentsLocation !== (answer.headers.location !== undefined)) {
    problems.push(`${label}: Location ${documentsLocation ? 'documented but not sent' : 'sent but not documented'}`);
  }
  if (answer.status >= 400) {
    const codes = doc.components.schemas.Error!.properties.error!.enum!;
    const body = answer.body as { error?: unknown; error_description?: unknown } | undefined;
    if (!codes.includes(String(body?.error)) || typeof body?.error_description !== 'string') {
      problems.push(`${label}: the body is not an Error: ${JSON.stringify(body)}`);
    }
  }
  return problems;
}
