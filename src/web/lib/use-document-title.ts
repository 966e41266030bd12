import { useEffect } from 'react';

/** Sets `document.title` to "<title> · Moxora" while the calling screen is shown. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Moxora` : 'Moxora';
  }, [title]);
}
