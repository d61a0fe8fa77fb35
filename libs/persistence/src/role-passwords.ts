import { Client } from 'pg';

/**
 * Sets the app roles' passwords, as the owner; Citus propagates ALTER ROLE to the workers. On Citus the coordinator also
 * connects to the workers as the calling role, so each password is recorded in pg_dist_authinfo for every node (nodeid 0).
 */
export async function applyRolePasswords(ownerUrl: string, passwords: Record<string, string>): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const citus = (await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`)).rowCount === 1;
    for (const [role, password] of Object.entries(passwords)) {
      const { rows } = await client.query<{ statement: string }>(`SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text) AS statement`, [
        role,
        password,
      ]);
      await client.query(rows[0].statement);
      if (citus) {
        await client.query(
          `INSERT INTO pg_dist_authinfo (nodeid, rolename, authinfo) VALUES (0, $1, 'password=' || $2)
           ON CONFLICT (rolename, nodeid) DO UPDATE SET authinfo = EXCLUDED.authinfo`,
          [role, password],
        );
      }
    }
  } finally {
    await client.end();
  }
}
