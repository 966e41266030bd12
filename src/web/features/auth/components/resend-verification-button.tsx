import { toast } from 'sonner';
import { Button, type ButtonProps } from '@/components/ui/button';
import { errorMessage } from '@/lib/api';
import { useSendVerificationEmail } from '../api/send-verification-email';
import { verificationCallbackUrl } from '../callback-urls';

export interface ResendVerificationButtonProps extends Pick<ButtonProps, 'variant' | 'size' | 'className'> {
  email: string;
  redirect?: string;
  children?: React.ReactNode;
}

/** Sends a fresh verification email to `email` and says so in a toast. */
export function ResendVerificationButton({
  email,
  redirect,
  children,
  ...buttonProps
}: ResendVerificationButtonProps) {
  const send = useSendVerificationEmail();
  return (
    <Button
      {...buttonProps}
      loading={send.isPending}
      onClick={() =>
        send.mutate(
          { email, callbackURL: verificationCallbackUrl(redirect) },
          {
            onSuccess: () =>
              toast.success('Verification email sent', { description: `Check the inbox of ${email}.` }),
            onError: (error) => toast.error('Could not send the email', { description: errorMessage(error) }),
          },
        )
      }
    >
      {children ?? 'Resend verification email'}
    </Button>
  );
}
