/** The logged-in user and their token, kept in localStorage so a reload stays logged in. */
export type Role = 'customer' | 'clerk' | 'process-owner' | 'leader' | 'admin';

export interface User {
  sub: string;
  username: string;
  name: string;
  role: Role;
  customerId: string | null;
  groups: string[];
  branch: string | null;
}

interface Session {
  token: string;
  user: User;
  expiresAt: number;
}

const KEY = 'tlp.session';

export function session(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!s || s.expiresAt < Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

export function currentUser(): User | null {
  return session()?.user ?? null;
}

export function saveSession(token: string, user: User, expiresInSeconds: number) {
  localStorage.setItem(KEY, JSON.stringify({ token, user, expiresAt: Date.now() + expiresInSeconds * 1000 }));
}

export function clearSession() {
  localStorage.removeItem(KEY);
}

export function hasRole(...roles: Role[]): boolean {
  const user = currentUser();
  return !!user && roles.includes(user.role);
}
