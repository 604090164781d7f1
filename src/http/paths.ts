/** Where the REST API is served: the RC2 root every operation's path is under. */
export const API_PREFIX = '/api/v3/onezone';
