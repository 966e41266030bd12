import { SessionsCard } from './sessions-card';
import { TwoFactorCard } from './two-factor-card';

/** The account security page: two-factor sign-in, recovery codes, sessions. */
export function SecurityPage() {
  return (
    <div className="grid gap-6">
      <TwoFactorCard />
      <SessionsCard />
    </div>
  );
}
