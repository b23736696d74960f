/**
 * Layers a site does not show (language, database, operating system) that
 * follow from what it does show, each with the fact it rests on. Only facts
 * go here: a platform that runs on nothing else, a package suffix only one
 * distribution uses. A likely guess does not (ASP.NET on Windows: Mono exists;
 * Ghost on MySQL: it also runs on SQLite; Matomo's tracker on a page: its
 * server is elsewhere). A basis names only the two technologies of its row,
 * so a report sentence quoting it cites nothing else.
 */

/** One technology implying another; names are the fingerprint database's. */
export interface LayerInference {
  from: string;
  implies: string;
  /** Why the implied technology must be there, as a clause: "<from> <basis>". */
  basis: string;
  /** 0–100; below what a visible detection gets, and never above the source's own confidence. */
  confidence: number;
}

/** Confidence of an implication the fingerprint rule set states without a row here. */
export const RULE_SET_INFERENCE_CONFIDENCE = 70;

/**
 * Rule-set implications that stopped being facts from some major version on: when the source is seen
 * at `sinceMajor` or later, the layer is not inferred (an unknown version keeps the older fact).
 */
export interface OutdatedImplication {
  from: string;
  implies: string;
  sinceMajor: number;
  why: string;
}

export const OUTDATED_IMPLICATIONS: readonly OutdatedImplication[] = [
  { from: "Next.js", implies: "Webpack", sinceMajor: 16, why: "Next.js 16 builds with Turbopack by default" },
];

const runsOn = (from: string[], implies: string, basis: string, confidence: number): LayerInference[] =>
  from.map((name) => ({ from: name, implies, basis, confidence }));

export const LAYER_INFERENCES: readonly LayerInference[] = [
  ...runsOn(
    [
      "WordPress",
      "MediaWiki",
      "Drupal",
      "Joomla",
      "Laravel",
      "Moodle",
      "Nextcloud",
      "DokuWiki",
      "phpMyAdmin",
      "phpBB",
    ],
    "PHP",
    "is written in PHP and runs only on a PHP interpreter",
    90,
  ),
  ...runsOn(["WordPress", "phpMyAdmin"], "MySQL", "works only with a MySQL-family database server", 80),
  ...runsOn(["Ghost", "Express"], "Node.js", "is a Node.js package and runs only on Node.js", 90),
  ...runsOn(
    ["Ruby on Rails", "Discourse", "GitLab", "Redmine", "Mastodon"],
    "Ruby",
    "is written in Ruby and runs only on a Ruby interpreter",
    90,
  ),
  ...runsOn(["Discourse", "GitLab", "Mastodon"], "PostgreSQL", "supports no database but PostgreSQL", 80),
  ...runsOn(["Django", "Flask"], "Python", "is a Python framework and runs only on Python", 90),
  ...runsOn(
    ["Apache Tomcat", "Jetty", "JavaServer Pages", "Java Servlet", "Jenkins", "Spring"],
    "Java",
    "runs only on a Java virtual machine",
    90,
  ),
  ...runsOn(["IIS"], "Windows Server", "is part of Windows and runs on no other operating system", 90),
  ...runsOn(["Gitea", "Grafana"], "Go", "is a compiled Go program", 80),
];

/** A distribution named by the version suffix its packages carry, read from a disclosing header. */
export interface DistributionConvention {
  /** Lower-case header names whose values carry package versions. */
  headers: readonly string[];
  /** Matches the suffix; group 1, when present, is the distribution's release number. */
  pattern: RegExp;
  implies: string;
  basis: string;
  confidence: number;
}

export const DISTRIBUTION_CONVENTIONS: readonly DistributionConvention[] = [
  {
    // "PHP/7.4.33-1+deb11u4", "PHP/7.3.31-1~deb10u1": Debian's stable and security update suffix.
    headers: ["server", "x-powered-by"],
    pattern: /\d[\w.]*[-+~]deb(\d+)u\d+/i,
    implies: "Debian",
    basis: "is a Debian package build (the version suffix debNuM is Debian's stable-update numbering)",
    confidence: 80,
  },
  {
    // "…~bpo12+1": Debian's backports suffix.
    headers: ["server", "x-powered-by"],
    pattern: /\d[\w.+-]*~bpo(\d+)\+\d/i,
    implies: "Debian",
    basis: "is a Debian backports package build (the version suffix bpoN is Debian's backports numbering)",
    confidence: 80,
  },
];
