import { type HttpTransport, textOf } from './http.js';

/** The zone process itself: extensions served at the server root, beside the API. */
export function zoneApi(http: HttpTransport) {
  return {
    /** Extension `GET /metrics`: Prometheus text (holders of the Onezone `view_privileges`, zone administrators). */
    metrics: async () => textOf(await http.call('GET', '/metrics', undefined, 'server')),
  };
}
