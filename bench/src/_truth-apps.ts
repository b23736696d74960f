/**
 * How each application of the truth corpus is served on 127.0.0.1: the command that starts it on a
 * free port, with the configuration it needs written to a throwaway folder. bench/truth/install.sh
 * installs them (Debian and npm packages) under TRUTH_CACHE; nothing here installs anything.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import path from "node:path";

/** Where bench/truth/install.sh prepares the apps (beside the toolchain ./techscaniq caches). */
export const TRUTH_CACHE = path.join(homedir(), ".cache/techscaniq/truth");

interface Launch {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}

export interface CorpusApp {
  /** What must exist once bench/truth/install.sh has run. */
  installed: string;
  /** The command serving the app on 127.0.0.1:`port`; `work` is a fresh folder for its config. */
  launch(port: number, work: string): Launch;
}

const npmBin = (app: string, bin: string) => path.join(TRUTH_CACHE, "npm", app, "node_modules/.bin", bin);

/** PHP applications under PHP's own server, several workers so the crawl and the browser overlap. */
function phpApp(
  docroot: string,
  options: { installed?: string; env?: Record<string, string>; prepend?: (work: string) => string } = {},
): CorpusApp {
  const { prepend } = options;
  return {
    installed: options.installed ?? docroot,
    launch: (port, work) => ({
      command: "php",
      args: [
        "-d",
        "display_errors=0",
        ...(prepend ? ["-d", `auto_prepend_file=${prepend(work)}`] : []),
        "-S",
        `127.0.0.1:${port}`,
        "-t",
        docroot,
      ],
      cwd: docroot,
      env: { PHP_CLI_SERVER_WORKERS: "4", ...options.env },
    }),
  };
}

export const CORPUS_APPS: Record<string, CorpusApp> = {
  apache2: {
    installed: "/usr/sbin/apache2",
    launch: (port, work) => {
      const modules = ["mpm_event", "authz_core", "dir", "mime"];
      writeFileSync(
        path.join(work, "apache2.conf"),
        [
          ...modules.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`),
          `Listen 127.0.0.1:${port}`,
          "ServerName 127.0.0.1",
          // Debian's conf-enabled/security.conf: the product and OS in Server, a signature on error pages.
          "ServerTokens OS",
          "ServerSignature On",
          "User www-data",
          "Group www-data",
          `PidFile ${work}/apache2.pid`,
          `ErrorLog ${work}/error.log`,
          "TypesConfig /etc/mime.types",
          "DirectoryIndex index.html",
          "DocumentRoot /usr/share/apache2/default-site",
          "<Directory /usr/share/apache2/default-site>\n  Require all granted\n</Directory>",
        ].join("\n") + "\n",
      );
      return { command: "/usr/sbin/apache2", args: ["-f", `${work}/apache2.conf`, "-DFOREGROUND"] };
    },
  },
  nginx: {
    installed: "/usr/sbin/nginx",
    launch: (port, work) => {
      writeFileSync(
        path.join(work, "nginx.conf"),
        `daemon off;\npid ${work}/nginx.pid;\nerror_log ${work}/error.log;\nevents {}\nhttp {\n` +
          "  include /etc/nginx/mime.types;\n  access_log off;\n" +
          ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
            .map((kind) => `  ${kind}_temp_path ${work}/${kind};\n`)
            .join("") +
          `  server {\n    listen 127.0.0.1:${port};\n    root /usr/share/nginx/html;\n` +
          "    index index.html;\n  }\n}\n",
      );
      return { command: "/usr/sbin/nginx", args: ["-c", `${work}/nginx.conf`, "-e", `${work}/error.log`] };
    },
  },
  lighttpd: {
    installed: "/usr/sbin/lighttpd",
    launch: (port, work) => {
      writeFileSync(
        path.join(work, "lighttpd.conf"),
        [
          'server.document-root = "/usr/share/lighttpd"',
          `server.port = ${port}`,
          'server.bind = "127.0.0.1"',
          'index-file.names = ( "index.html" )',
          `server.errorlog = "${work}/error.log"`,
          'include_shell "/usr/share/lighttpd/create-mime.conf.pl"',
        ].join("\n") + "\n",
      );
      return { command: "/usr/sbin/lighttpd", args: ["-D", "-f", `${work}/lighttpd.conf`] };
    },
  },
  dokuwiki: phpApp("/usr/share/dokuwiki"),
  mediawiki: phpApp("/usr/share/mediawiki", {
    installed: path.join(TRUTH_CACHE, "mediawiki/LocalSettings.php"),
    prepend: (work) => {
      // The wiki installed by install.sh lives in the cache; MediaWiki reads MW_CONFIG_FILE first.
      const file = path.join(work, "prepend.php");
      const settings = path.join(TRUTH_CACHE, "mediawiki/LocalSettings.php");
      writeFileSync(file, `<?php define('MW_CONFIG_FILE', ${JSON.stringify(settings)});\n`);
      return file;
    },
  }),
  phpmyadmin: phpApp("/usr/share/phpmyadmin"),
  adminer: phpApp("/usr/share/adminer/adminer"),
  // Debian's layout: /var/lib/roundcube links the program, config and skins together.
  roundcube: phpApp("/var/lib/roundcube", {
    installed: path.join(TRUTH_CACHE, "roundcube/roundcube.db"),
    env: { ROUNDCUBE_DB_DSNW: `sqlite:///${TRUTH_CACHE}/roundcube/roundcube.db?mode=0640` },
  }),
  tomcat10: {
    installed: "/usr/share/tomcat10/bin/catalina.sh",
    launch: (port, work) => {
      // A CATALINA_BASE of our own: Debian's configuration with our port and no shutdown port.
      mkdirSync(path.join(work, "conf"));
      for (const file of ["web.xml", "catalina.properties", "logging.properties", "context.xml"])
        writeFileSync(path.join(work, "conf", file), readFileSync(path.join("/etc/tomcat10", file)));
      const server = readFileSync("/etc/tomcat10/server.xml", "utf8")
        .replace('port="8005"', 'port="-1"')
        .replace('port="8080"', `port="${port}" address="127.0.0.1"`);
      writeFileSync(path.join(work, "conf/server.xml"), server);
      for (const dir of ["logs", "temp", "work"]) mkdirSync(path.join(work, dir));
      symlinkSync("/var/lib/tomcat10/webapps", path.join(work, "webapps"));
      return {
        command: "/usr/share/tomcat10/bin/catalina.sh",
        args: ["run"],
        env: { CATALINA_HOME: "/usr/share/tomcat10", CATALINA_BASE: work, CATALINA_TMPDIR: `${work}/temp` },
      };
    },
  },
  hugo: {
    installed: path.join(TRUTH_CACHE, "hugo/public/index.html"),
    launch: (port) => ({
      command: "hugo",
      args: ["server", "--disableLiveReload", "--bind", "127.0.0.1", "--port", String(port)],
      cwd: path.join(TRUTH_CACHE, "hugo"),
    }),
  },
  jekyll: {
    installed: path.join(TRUTH_CACHE, "jekyll/_site/index.html"),
    launch: (port) => ({
      command: "jekyll",
      args: ["serve", "--skip-initial-build", "--no-watch", "--host", "127.0.0.1", "--port", String(port)],
      cwd: path.join(TRUTH_CACHE, "jekyll"),
    }),
  },
  next: {
    installed: path.join(TRUTH_CACHE, "npm/next/.built"),
    launch: (port) => ({
      command: npmBin("next", "next"),
      args: ["start", "-H", "127.0.0.1", "-p", String(port)],
      cwd: path.join(TRUTH_CACHE, "npm/next"),
    }),
  },
  astro: {
    installed: path.join(TRUTH_CACHE, "npm/astro/.built"),
    launch: (port) => ({
      command: npmBin("astro", "astro"),
      args: ["preview", "--host", "127.0.0.1", "--port", String(port)],
      cwd: path.join(TRUTH_CACHE, "npm/astro"),
    }),
  },
  vitepress: {
    installed: path.join(TRUTH_CACHE, "npm/vitepress/.built"),
    launch: (port) => ({
      command: npmBin("vitepress", "vitepress"),
      args: ["preview", "docs", "--port", String(port)],
      cwd: path.join(TRUTH_CACHE, "npm/vitepress"),
    }),
  },
  eleventy: {
    installed: path.join(TRUTH_CACHE, "npm/eleventy/.built"),
    launch: (port) => ({
      command: npmBin("eleventy", "eleventy"),
      args: ["--serve", "--port", String(port)],
      cwd: path.join(TRUTH_CACHE, "npm/eleventy"),
    }),
  },
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningApp {
  origin: string;
  stop(): Promise<void>;
}

/** Start `name` on a free port and wait (at most `timeoutMs`) until it answers HTTP. */
export async function startCorpusApp(name: string, timeoutMs = 120_000): Promise<RunningApp> {
  const app = CORPUS_APPS[name];
  if (!app) throw new Error(`no corpus app "${name}"`);
  if (!existsSync(app.installed))
    throw new Error(`${name} is not installed (${app.installed}): run bench/truth/install.sh`);
  const port = await freePort();
  const work = mkdtempSync(path.join(tmpdir(), `truth-${name}-`));
  const { command, args, cwd, env } = app.launch(port, work);
  const log: string[] = [];
  const child: ChildProcess = spawn(command, args, {
    cwd: cwd ?? work,
    env: { ...process.env, ...env },
    // Its own process group, so stopping it ends the workers it started too.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk) => log.push(String(chunk)));
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running = false;
      resolve();
    }),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const stop = async () => {
    signalGroup("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (running) signalGroup("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running) break;
    try {
      await fetch(origin + "/", { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      return { origin, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await stop();
  throw new Error(`${name} did not answer on ${origin}: ${log.join("").slice(-2_000)}`);
}
