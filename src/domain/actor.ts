/** Who is calling, as established by http/auth.ts. */
export type Actor =
  | { kind: 'user'; userId: string; login: string }
  | { kind: 'provider'; providerId: string }
  | { kind: 'nobody' };

export type UserActor = Extract<Actor, { kind: 'user' }>;
