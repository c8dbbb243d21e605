import { useState } from 'preact/hooks';
import { ApiError, signIn, type Session } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorBox } from '../ui.js';

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn(session: Session): void }) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await signIn(token);
      setToken('');
      onSignedIn(session);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError('ERROR', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="card" onSubmit={submit} autocomplete="off">
        <h1>{t('signin.title')}</h1>
        {notice ? <p class="notice">{notice}</p> : null}
        <p class="muted">{t('signin.help')}</p>
        <label>
          {t('signin.token')}
          <textarea name="token" rows={5} spellcheck={false} autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} required />
        </label>
        <button type="submit" disabled={busy || token.trim() === ''}>
          {t('signin.submit')}
        </button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}
