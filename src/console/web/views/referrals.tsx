import { useEffect, useState } from 'preact/hooks';
import { can, connectReferrals, gql, REFERRAL_FIELDS, type ApiError, type Me, type Referral } from '../api.js';
import { useI18n } from '../i18n.js';
import { Card, ErrorBox, Loading, shortDate, short, useAsync } from '../ui.js';

const INBOX = `query Inbox { referralInbox(first: 100) { referrals { ${REFERRAL_FIELDS} } } referralStats { overdue unacknowledged ackWithinHours } }`;
const ACK = `mutation Ack($id: ID!) { acknowledgeReferral(id: $id) { id state } }`;

interface Inbox {
  referralInbox: { referrals: Referral[] };
  referralStats: { overdue: number; unacknowledged: number; ackWithinHours: number };
}

/**
 * The agency's referral inbox: what members routed to it, overdue ones marked, and a live alert
 * (graphql-ws `referralFiled`) the moment a new one arrives, which also refreshes the list.
 */
export function ReferralsView({ token, me }: { token: string; me: Me }) {
  const { t, e } = useI18n();
  const inbox = useAsync(() => gql<Inbox>(token, INBOX), [token]);
  const [alert, setAlert] = useState<Referral | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    const socket = connectReferrals(token, (referral) => {
      setAlert(referral);
      inbox.reload();
    });
    return () => socket.dispose();
  }, [token]);
  const acknowledge = async (id: string) => {
    try {
      await gql(token, ACK, { id });
      inbox.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const stats = inbox.data?.referralStats;
  const referrals = inbox.data?.referralInbox.referrals ?? [];
  return (
    <Card title={t('ref.title')}>
      {alert ? (
        <p class="notice live-referral" role="alert" data-referral={alert.id}>
          <strong>{e(alert.urgency)}</strong> {t('ref.new', { member: alert.member, summary: short(alert.summary, 120) })}
        </p>
      ) : null}
      {stats ? <p class="muted" data-referral-stats>{t('ref.stats', { overdue: stats.overdue, unacknowledged: stats.unacknowledged, hours: stats.ackWithinHours })}</p> : null}
      <ErrorBox error={inbox.error ?? error} />
      <Loading when={inbox.loading && inbox.data === undefined} />
      {inbox.data && referrals.length === 0 ? <p class="muted">{t('ref.empty')}</p> : null}
      {referrals.length > 0 ? (
        <table class="referrals">
          <thead>
            <tr>
              <th>{t('ref.filed')}</th>
              <th>{t('ref.member')}</th>
              <th>{t('ref.urgency')}</th>
              <th>{t('ref.case')}</th>
              <th>{t('ref.place')}</th>
              <th>{t('ref.state')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {referrals.map((r) => (
              <tr data-referral-row={r.id} class={r.overdue ? 'overdue' : ''}>
                <td>{shortDate(r.filedAt)}</td>
                <td>{r.member}</td>
                <td>{e(r.urgency)}</td>
                <td title={r.summary}>
                  {e(r.commodity)}: {short(r.summary, 80)}
                </td>
                <td>{r.place}</td>
                <td>
                  {e(r.state)}
                  {r.overdue ? <span class="badge overdue">{t('ref.overdue')}</span> : null}
                </td>
                <td>
                  {r.state === 'FILED' && can(me, 'REFERRALS_ACT') ? (
                    <button type="button" onClick={() => void acknowledge(r.id)}>
                      {t('ref.acknowledge')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}
