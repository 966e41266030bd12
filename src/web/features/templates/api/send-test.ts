import { useMutation } from '@tanstack/react-query';
import { api, type Body, type Res } from '@/lib/api';

export const sendTest = ({ id, ...input }: Body<'/api/v1/templates/{id}/test', 'post'> & { id: string }) =>
  api.post<Res<'/api/v1/templates/{id}/test', 'post'>>(
    `/api/v1/templates/${encodeURIComponent(id)}/test`,
    input,
  );

/** POST /api/v1/templates/{id}/test: the saved template, to the caller's own address. */
export function useSendTest() {
  return useMutation({ mutationFn: sendTest });
}
