import type { Directory, OktaUser } from './directory.js';
import { oktaErrors } from './okta-errors.js';

/** Finds users the ways Okta's `/users/{id}` accepts: id, login, or an unambiguous login short name. */
export class UserLookup {
  private readonly byKey = new Map<string, number>();
  private readonly shortNames = new Map<string, number | null>();

  constructor(private readonly directory: Directory) {
    directory.users.forEach((user, index) => {
      this.byKey.set(user.id, index);
      this.byKey.set(user.profile.login.toLowerCase(), index);
      const short = user.profile.login.split('@')[0]!.toLowerCase();
      this.shortNames.set(short, this.shortNames.has(short) ? null : index);
    });
  }

  find(idOrLogin: string): { user: OktaUser; index: number } | undefined {
    const key = idOrLogin.toLowerCase();
    const index = this.byKey.get(idOrLogin) ?? this.byKey.get(key) ?? this.shortNames.get(key) ?? undefined;
    const user = index === undefined ? undefined : this.directory.users[index];
    return user && index !== undefined && !this.directory.deleted.has(user.id) ? { user, index } : undefined;
  }

  /** Like `find`, but answers 404 E0000007 when there is no such user. */
  get(idOrLogin: string): { user: OktaUser; index: number } {
    const found = this.find(idOrLogin);
    if (!found) throw oktaErrors.notFound(idOrLogin, 'User');
    return found;
  }
}
