import { useMutation } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';

export type SmtpCheck = Res<'/api/v1/sending/smtp/verify', 'post'>;

export const verifySmtp = (input: Body<'/api/v1/sending/smtp/verify', 'post'>) =>
  api.post<SmtpCheck>('/api/v1/sending/smtp/verify', input);

/** POST /api/v1/sending/smtp/verify: connects to the server and answers { ok, error? } */
export function useVerifySmtp() {
  return useMutation({ mutationFn: verifySmtp });
}
