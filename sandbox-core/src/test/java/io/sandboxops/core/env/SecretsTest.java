package io.sandboxops.core.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void masksValuesWhoseNamesSaySecret() {
        assertThat(Secrets.mask(Map.of("OPENAI_API_KEY", "sk-123", "DB_PASSWORD", "hunter2", "GITHUB_TOKEN", "x", "HOME", "/home/sandbox")))
                .containsEntry("OPENAI_API_KEY", Secrets.MASK)
                .containsEntry("DB_PASSWORD", Secrets.MASK)
                .containsEntry("GITHUB_TOKEN", Secrets.MASK)
                .containsEntry("HOME", "/home/sandbox");
    }

    @Test
    void masksCredentialShapedValuesWhateverTheirName() {
        assertThat(Secrets.mask("NOTE", "AIzaSyA1234567890abcdefghijklmnopqrstu")).isEqualTo(Secrets.MASK);
        assertThat(Secrets.mask("X", "Bearer abcdefghijklmnopqrstuvwxyz")).isEqualTo(Secrets.MASK);
        assertThat(Secrets.mask("PATH", "/usr/local/bin:/usr/bin:/bin")).isEqualTo("/usr/local/bin:/usr/bin:/bin");
    }

    @Test
    void masksSecretAssignmentsAndCredentialsInCommandLines() {
        assertThat(Secrets.maskCommand("export API_TOKEN=abc PLAIN=visible; DB_PASSWORD='a b' run --x"))
                .isEqualTo("export API_TOKEN=" + Secrets.MASK + " PLAIN=visible; DB_PASSWORD=" + Secrets.MASK + " run --x");
        assertThat(Secrets.maskCommand("curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz' x"))
                .doesNotContain("abcdefghijklmnopqrstuvwxyz");
        assertThat(Secrets.maskCommand("ls -la /tmp")).isEqualTo("ls -la /tmp");
    }

    /** Issue 12, attack 5: a DSN's password showed in `session info`, `bg list` and the console. */
    @Test
    void masksThePasswordOfEveryUrlWithCredentialsAndKeepsTheRest() {
        for (String scheme : List.of("postgres", "postgresql", "mysql", "redis", "rediss", "amqp", "amqps", "mongodb+srv", "http", "https")) {
            String masked = Secrets.maskCommand("connect \"" + scheme + "://admin:Pw-s3cr3t.x@db.internal:5432/app?ssl=1\" && echo done");
            assertThat(masked).as(scheme).doesNotContain("Pw-s3cr3t")
                    .contains(scheme + "://admin:" + Secrets.MASK + "@db.internal:5432/app?ssl=1").endsWith("&& echo done");
        }
        assertThat(Secrets.maskCommand("redis-cli -u redis://:onlypass99@cache:6379")).isEqualTo("redis-cli -u redis://:" + Secrets.MASK + "@cache:6379");
        assertThat(Secrets.mask("DATABASE_URL", "postgres://admin:Pw-s3cr3t.x@db/app")).doesNotContain("Pw-s3cr3t");
    }

    @Test
    void masksPasswordOptionsInEveryForm() {
        assertThat(Secrets.maskCommand("psql --password hunter22 -h db")).isEqualTo("psql --password " + Secrets.MASK + " -h db");
        assertThat(Secrets.maskCommand("mysql --password=hunter22 app")).isEqualTo("mysql --password=" + Secrets.MASK + " app");
        assertThat(Secrets.maskCommand("tool --db-password 'a b c' run")).isEqualTo("tool --db-password " + Secrets.MASK + " run");
        assertThat(Secrets.maskCommand("mysql -uroot -phunter22 app -e 'select 1'")).isEqualTo("mysql -uroot -p" + Secrets.MASK + " app -e 'select 1'");
        assertThat(Secrets.maskCommand("cd /x && mysqldump -h db -u root -phunter22 app > a.sql")).doesNotContain("hunter22");
        assertThat(Secrets.maskCommand("mariadb -phunter22")).doesNotContain("hunter22");
        assertThat(Secrets.maskCommand("PGPASSWORD=hunter22 psql -h db")).isEqualTo("PGPASSWORD=" + Secrets.MASK + " psql -h db");
        assertThat(Secrets.maskCommand("MYSQL_PWD=hunter22 mysql")).doesNotContain("hunter22");
        assertThat(Secrets.maskCommand("sshpass -p hunter22 ssh host")).isEqualTo("sshpass -p " + Secrets.MASK + " ssh host");
        assertThat(Secrets.maskCommand("curl -u admin:hunter22 https://x")).isEqualTo("curl -u admin:" + Secrets.MASK + " https://x");
    }

    /** -p is a port, a parent flag or a find predicate almost everywhere; only mysql's attached -pSECRET is a password. */
    @Test
    void leavesOrdinaryOptionsAndUrlsAlone() {
        for (String plain : List.of("docker run -p 8080:80 img", "ssh -p 2222 host", "mkdir -p /tmp/a/b", "find . -perm 644 -print -prune",
                "mysql -p app", "mysql -h db -P 3306 -u root app", "curl http://example.com:8080/path?q=1", "git clone https://github.com/a/b.git",
                "pg_dump --no-password app", "echo user@example.com", "ls -la /tmp", "sort -u names.txt")) {
            assertThat(Secrets.maskCommand(plain)).as(plain).isEqualTo(plain);
        }
    }
}
