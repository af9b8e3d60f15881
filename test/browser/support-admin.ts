// The provisioned administrator, made usable in a browser test the way an operator would:
// the first start creates `admin` with ADMIN_PASSWORD and must_change_password, so this signs
// in through the API once and changes the password to the harness's PASSWORD; after that the
// harness's signIn(page, t, 'admin') works like any user's.

import { takeOverAdmin } from '../support/process.ts';
import { PASSWORD, type Terminal } from './harness.ts';

export const ADMIN = 'admin';
/** Pass as ADMIN_PASSWORD to openTerminal; changed to PASSWORD by readyAdmin. */
export const FIRST_ADMIN_PASSWORD = 'first admin passphrase for tests';

/** Changes the first admin password to PASSWORD; answers an access token for API calls. */
export function readyAdmin(t: Terminal): Promise<string> {
  return takeOverAdmin(t.url, FIRST_ADMIN_PASSWORD, PASSWORD);
}
