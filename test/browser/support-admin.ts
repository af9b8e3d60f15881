// The provisioned administrator, made usable in a browser test the way an operator would:
// the first start creates `admin` with ADMIN_PASSWORD and must_change_password, so this signs
// in through the API once and changes the password to the harness's PASSWORD; after that the
// harness's signIn(page, t, 'admin') works like any user's.

import { PASSWORD, type Terminal } from './harness.ts';

export const ADMIN = 'admin';
/** Pass as ADMIN_PASSWORD to openTerminal; changed to PASSWORD by readyAdmin. */
export const FIRST_ADMIN_PASSWORD = 'first admin passphrase for tests';

async function post(t: Terminal, path: string, body: object, token?: string): Promise<Response> {
  return fetch(t.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
}

/** Changes the first admin password to PASSWORD; answers an access token for API calls. */
export async function readyAdmin(t: Terminal): Promise<string> {
  const login = await post(t, '/api/auth/login', {
    username: ADMIN,
    password: FIRST_ADMIN_PASSWORD,
  });
  if (login.status !== 200) throw new Error(`admin login: ${login.status} ${await login.text()}`);
  const { access_token } = (await login.json()) as { access_token: string };
  const change = await post(
    t,
    '/api/auth/password',
    { current_password: FIRST_ADMIN_PASSWORD, new_password: PASSWORD },
    access_token,
  );
  if (change.status !== 200)
    throw new Error(`admin password: ${change.status} ${await change.text()}`);
  const reply = (await change.json()) as { access_token?: string };
  if (reply.access_token !== undefined) return reply.access_token;
  const again = await post(t, '/api/auth/login', { username: ADMIN, password: PASSWORD });
  return ((await again.json()) as { access_token: string }).access_token;
}
