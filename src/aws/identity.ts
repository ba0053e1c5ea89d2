import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { REQUEST_HANDLER } from './access.js';

// Whose credentials a command uses, so that migrate can show the account before it writes.

/**
 * The credentials of a named profile, for any client. Without a name the clients' own default
 * chain applies (it honours AWS_PROFILE). With one, the chain skips the environment's keys, as the
 * aws CLI does for --profile.
 */
export const profileCredentials = (profile: string | undefined): ReturnType<typeof defaultProvider> | undefined =>
  profile === undefined ? undefined : defaultProvider({ profile });

export interface CallerIdentity {
  account: string;
  arn: string;
}

/** STS GetCallerIdentity: needs no permission, so it works for any valid credentials. */
export async function callerIdentity({ region, endpoint, profile }: { region: string; endpoint?: string; profile?: string }): Promise<CallerIdentity> {
  const sts = new STSClient({ region, endpoint, credentials: profileCredentials(profile), requestHandler: REQUEST_HANDLER });
  try {
    const r = await sts.send(new GetCallerIdentityCommand({}));
    return { account: r.Account ?? 'unknown', arn: r.Arn ?? 'unknown' };
  } finally {
    sts.destroy();
  }
}
