import type { MigrationInterface, QueryRunner } from 'typeorm';

/** JWT ids of member requests (design item 7) until they expire: a second use is a replay. */
export class MemberRequests1764604800000 implements MigrationInterface {
  name = 'MemberRequests1764604800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE member_request_jtis (
        member     text NOT NULL,
        jti        text NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT member_request_jtis_pk PRIMARY KEY (member, jti)
      );
      CREATE INDEX member_request_jtis_expires_idx ON member_request_jtis (expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE member_request_jtis;`);
  }
}
