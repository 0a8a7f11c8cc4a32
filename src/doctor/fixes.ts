import { shellWord } from '../shell.js';

/**
 * The text a finding tells the user to paste. Kept in one place so every report prints the same
 * snippet, and so the snippets can be tested (the Dockerfile one is the current Rails template's).
 */

/** Debian/Ubuntu images: install jemalloc and preload it (rails/rails Dockerfile.tt, 2024 onwards). */
export const DOCKERFILE_JEMALLOC = [
  'RUN apt-get update -qq && \\',
  '    apt-get install --no-install-recommends -y libjemalloc2 && \\',
  '    ln -s /usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2 /usr/local/lib/libjemalloc.so && \\',
  '    rm -rf /var/lib/apt/lists /var/cache/apt/archives',
  'ENV LD_PRELOAD="/usr/local/lib/libjemalloc.so"',
].join('\n');

export const DOCKERFILE_PRELOAD_ONLY = ['RUN ln -s /usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2 /usr/local/lib/libjemalloc.so', 'ENV LD_PRELOAD="/usr/local/lib/libjemalloc.so"'].join('\n');

export const DOCKERFILE_ARENA_MAX = 'ENV MALLOC_ARENA_MAX="2"';
export const HEROKU_ARENA_MAX = 'heroku config:set MALLOC_ARENA_MAX=2';
export const HEROKU_JEMALLOC = ['heroku buildpacks:add --index 1 https://github.com/gaffneyc/heroku-buildpack-jemalloc.git', 'heroku config:set JEMALLOC_ENABLED=true'].join('\n');
export const FLY_ARENA_MAX = ['[env]', '  MALLOC_ARENA_MAX = "2"'].join('\n');
export const COMPOSE_ARENA_MAX = ['    environment:', '      MALLOC_ARENA_MAX: "2"'].join('\n');
export const KAMAL_ARENA_MAX = ['env:', '  clear:', '    MALLOC_ARENA_MAX: "2"'].join('\n');
export const KUBERNETES_ARENA_MAX = ['          env:', '            - name: MALLOC_ARENA_MAX', '              value: "2"'].join('\n');
export const ADD_LOCKED_RUBY = ['# Gemfile', 'ruby file: ".ruby-version"', '# then, to write RUBY VERSION into the lockfile:', 'bundle update --ruby'].join('\n');

/** The Ruby one-liner that reports, from inside the app, what `--pid` would have read. */
export const INSIDE_APP_ONE_LINER =
  `ruby -e 'm = File.read("/proc/self/maps"); puts "jemalloc: #{m[/\\S*jemalloc\\S*/] || "not mapped"}"; ` +
  `%w[LD_PRELOAD MALLOC_ARENA_MAX MALLOC_CONF RUBY_YJIT_ENABLE].each { |k| puts "#{k}=#{ENV[k].inspect}" }; ` +
  `puts RUBY_DESCRIPTION; puts "MAINLIBS: #{RbConfig::CONFIG["MAINLIBS"]}"'`;

/** The same from a shell, for a process gemleak may not read: run as its owner (or root). */
export function procOneLiner(pid: number, user: string | null): string {
  const body = `grep -m1 jemalloc /proc/${pid}/maps || echo "jemalloc: not mapped"; tr '\\0' '\\n' < /proc/${pid}/environ | grep -E '^(LD_PRELOAD|MALLOC_ARENA_MAX|MALLOC_CONF|RUBY_YJIT_ENABLE)='; grep -E '^(Rss|Pss):' /proc/${pid}/smaps_rollup`;
  return user === null ? `sudo sh -c ${shellWord(body)}` : `sudo -u ${shellWord(user)} sh -c ${shellWord(body)}`;
}
