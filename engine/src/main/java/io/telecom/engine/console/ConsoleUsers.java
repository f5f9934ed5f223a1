package io.telecom.engine.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.bouncycastle.crypto.generators.SCrypt;
import org.operaton.bpm.engine.authorization.Groups;
import org.operaton.bpm.engine.identity.Group;
import org.operaton.bpm.engine.identity.User;
import org.operaton.bpm.engine.impl.identity.IdentityProviderException;
import org.operaton.bpm.engine.impl.persistence.entity.GroupEntity;
import org.operaton.bpm.engine.impl.persistence.entity.UserEntity;

/**
 * The people the operators' console knows: our own users (table public.app_user, kept by the API)
 * whose role is admin or process-owner, with the password they use everywhere else. Clerks, crews,
 * leaders and customers do not exist here, so the console refuses their logins. Roles become groups:
 * administrators are in Operaton's admin group, process owners in their own.
 */
final class ConsoleUsers {
  static final String PROCESS_OWNERS = "process-owner";
  /** Role → the console group it means. */
  static final Map<String, String> GROUP_OF_ROLE = Map.of("admin", Groups.OPERATON_ADMIN, "process-owner", PROCESS_OWNERS);

  static final List<Group> GROUPS = List.of(
      group(Groups.OPERATON_ADMIN, "系统管理员 (Administrators)", Groups.GROUP_TYPE_SYSTEM),
      group(PROCESS_OWNERS, "流程管理 (Process owners)", Groups.GROUP_TYPE_WORKFLOW));

  /** scrypt with N = 2^15 takes 32 MiB: at most two checks at once, so a burst of logins cannot exhaust the heap. */
  private static final Semaphore HASHING = new Semaphore(2);
  /** Compared against when the user is unknown, so a wrong username costs what a wrong password costs. */
  private static final String DECOY;

  static {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    DECOY = String.join("$", "scrypt", "32768", "8", "1", b64.encodeToString(salt), b64.encodeToString(new byte[64]));
  }

  record ConsoleUser(String id, String name, String role, String passwordHash) {
    String group() {
      return GROUP_OF_ROLE.get(role);
    }

    User toUser() {
      UserEntity user = new UserEntity(id);
      user.setFirstName(name);
      user.setLastName("");
      return user;
    }
  }

  private ConsoleUsers() {}

  private static Group group(String id, String name, String type) {
    GroupEntity group = new GroupEntity(id);
    group.setName(name);
    group.setType(type);
    return group;
  }

  static List<ConsoleUser> all(Connection connection) {
    String sql = "select username, display_name, role, password_hash from public.app_user"
        + " where active and role in ('admin', 'process-owner') order by username";
    try (PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      List<ConsoleUser> users = new ArrayList<>();
      while (rows.next()) {
        users.add(new ConsoleUser(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)));
      }
      return users;
    } catch (SQLException e) {
      throw new IdentityProviderException("Could not read the console's users from public.app_user", e);
    }
  }

  /** Checks a password against our stored `scrypt$N$r$p$salt$hash` (NFKC-normalised, as the API hashes it). */
  static boolean matches(String password, String stored) {
    if (password == null) return false;
    String[] parts = (stored == null ? DECOY : stored).split("\\$");
    if (parts.length != 6 || !parts[0].equals("scrypt")) parts = DECOY.split("\\$");
    try {
      int n = Integer.parseInt(parts[1]);
      int r = Integer.parseInt(parts[2]);
      int p = Integer.parseInt(parts[3]);
      if (n > (1 << 17) || r > 16 || p > 4) return false;
      byte[] salt = Base64.getUrlDecoder().decode(parts[4]);
      byte[] expected = Base64.getUrlDecoder().decode(parts[5]);
      byte[] input = Normalizer.normalize(password, Normalizer.Form.NFKC).getBytes(StandardCharsets.UTF_8);
      HASHING.acquireUninterruptibly();
      byte[] actual;
      try {
        actual = SCrypt.generate(input, salt, n, r, p, expected.length);
      } finally {
        HASHING.release();
      }
      return stored != null && MessageDigest.isEqual(actual, expected);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
