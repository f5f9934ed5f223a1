package io.telecom.engine.console;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.operaton.bpm.engine.identity.Group;
import org.operaton.bpm.engine.identity.Tenant;
import org.operaton.bpm.engine.identity.User;
import org.operaton.bpm.engine.impl.GroupQueryImpl;
import org.operaton.bpm.engine.impl.Page;
import org.operaton.bpm.engine.impl.TenantQueryImpl;
import org.operaton.bpm.engine.impl.UserQueryImpl;
import org.operaton.bpm.engine.impl.interceptor.CommandContext;
import org.operaton.bpm.engine.impl.interceptor.CommandExecutor;

/** The identity queries Cockpit, Tasklist and Admin run, answered from our users in memory. */
final class ConsoleQueries {
  private ConsoleQueries() {}

  static ConsoleIdentityProvider provider(CommandContext context) {
    return (ConsoleIdentityProvider) context.getReadOnlyIdentityProvider();
  }

  /** SQL LIKE (% and _) as a case-sensitive match, as the engine's own queries do. */
  static boolean like(String value, String pattern) {
    if (pattern == null) return true;
    if (value == null) return false;
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      if (c == '%') regex.append(".*");
      else if (c == '_') regex.append('.');
      else regex.append(Pattern.quote(String.valueOf(c)));
    }
    return value.matches(regex.toString());
  }

  static boolean eq(String value, String wanted) {
    return wanted == null || Objects.equals(value, wanted);
  }

  static boolean in(String value, String[] wanted) {
    return wanted == null || Arrays.asList(wanted).contains(value);
  }

  static <T> List<T> page(Stream<T> results, Function<T, String> id, Page page) {
    Stream<T> sorted = results.sorted(Comparator.comparing(id));
    if (page != null) sorted = sorted.skip(page.getFirstResult()).limit(page.getMaxResults());
    return sorted.toList();
  }

  static class Users extends UserQueryImpl {
    Users() {}

    Users(CommandExecutor executor) {
      super(executor);
    }

    private Stream<User> matching(CommandContext context) {
      // No tenants, and no users as candidate starters of a definition: such a query finds nobody.
      if (tenantId != null || procDefId != null) return Stream.empty();
      ConsoleIdentityProvider provider = provider(context);
      return provider.users().stream()
          .filter(u -> eq(u.id(), id) && in(u.id(), ids))
          .filter(u -> groupId == null || groupId.equals(u.group()))
          .map(ConsoleUsers.ConsoleUser::toUser)
          .filter(u -> eq(u.getFirstName(), firstName) && like(u.getFirstName(), firstNameLike))
          .filter(u -> eq(u.getLastName(), lastName) && like(u.getLastName(), lastNameLike))
          .filter(u -> (email == null && emailLike == null) || (eq(u.getEmail(), email) && like(u.getEmail(), emailLike)));
    }

    @Override
    public long executeCount(CommandContext context) {
      return matching(context).count();
    }

    @Override
    public List<User> executeList(CommandContext context, Page page) {
      return page(matching(context), User::getId, page);
    }
  }

  static class Groups extends GroupQueryImpl {
    Groups() {}

    Groups(CommandExecutor executor) {
      super(executor);
    }

    private Stream<Group> matching(CommandContext context) {
      if (tenantId != null || procDefId != null) return Stream.empty();
      Stream<Group> groups = userId == null ? ConsoleUsers.GROUPS.stream() : provider(context).groupsOf(userId);
      return groups
          .filter(g -> eq(g.getId(), id) && in(g.getId(), ids))
          .filter(g -> eq(g.getName(), name) && like(g.getName(), nameLike))
          .filter(g -> eq(g.getType(), type));
    }

    @Override
    public long executeCount(CommandContext context) {
      return matching(context).count();
    }

    @Override
    public List<Group> executeList(CommandContext context, Page page) {
      return page(matching(context), Group::getId, page);
    }
  }

  /** The platform has no tenants. */
  static class Tenants extends TenantQueryImpl {
    Tenants() {}

    Tenants(CommandExecutor executor) {
      super(executor);
    }

    @Override
    public long executeCount(CommandContext context) {
      return 0;
    }

    @Override
    public List<Tenant> executeList(CommandContext context, Page page) {
      return List.of();
    }
  }
}
