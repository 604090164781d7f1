import type { HttpTransport } from './http.js';

/** The server root, from the API root (`…/api/v3/onezone`), where `/health` and `/metrics` are served. */
const SERVER_ROOT = '../../../';

/** The zone process itself: extensions served at the server root, beside the API. */
export function zoneApi(http: HttpTransport) {
  return {
    /** Extension `GET /metrics`: Prometheus text (holders of the Onezone `view_privileges`, zone administrators). */
    metrics: async () => (await http.call('GET', `${SERVER_ROOT}metrics`)).body as string,
  };
}
