// Builds build/static/ from the npm packages: the Sass entry compiled with Arial, the
// GOV.UK and MoJ JavaScript modules, htmx, the images they reference, and axe-core for
// the browser tests. Nothing third-party is committed; this runs at install time.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static");
const modules = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });
mkdirSync(join(out, "assets", "images"), { recursive: true });

const css = sass.compile(join(root, "scss", "app.scss"), {
  loadPaths: [root],
  quietDeps: true,
  silenceDeprecations: ["import"],
  style: "compressed",
  logger: sass.Logger.silent,
});
if (/GDS Transport/.test(css.css)) {
  throw new Error("compiled CSS names GDS Transport: the Arial configuration did not apply");
}
writeFileSync(join(out, "css", "app.css"), css.css);

const copies = [
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "js/govuk-frontend.min.js"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.js", "js/moj-frontend.min.js"],
  ["htmx.org/dist/htmx.min.js", "js/htmx.min.js"],
];
for (const [from, to] of copies) {
  cpSync(join(modules, from), join(out, to));
}
// The API docs page (/api/docs/): Swagger UI, served from here rather than a CDN. Without the
// source-map comments: the maps are not shipped, and the hashed static storage refuses a
// reference to a missing file.
mkdirSync(join(out, "api-docs"), { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  const text = readFileSync(join(modules, "swagger-ui-dist", name), "utf8");
  writeFileSync(join(out, "api-docs", name), text.replace(/\n?\/[/*]# sourceMappingURL=\S+(?: \*\/)?\s*$/, "\n"));
}
// MoJ's icons; GOV.UK's own images are its crown and crest, which we do not use.
cpSync(join(modules, "@ministryofjustice/frontend/moj/assets/images"), join(out, "assets", "images"), {
  recursive: true,
  filter: (path) => !/logotype|crest|crown|apple-touch/.test(path),
});
// GOV.UK's footer Sass still names its crest image. We show no crest (not a GOV.UK-domain
// service), but the hashed static storage refuses a CSS reference to a missing file, so the
// name points at a deliberately empty image.
writeFileSync(
  join(out, "assets", "images", "govuk-crest.svg"),
  '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><!-- no crest: not a GOV.UK-domain service --></svg>\n',
);
console.log(`assets built in ${out} (app.css ${css.css.length} bytes)`);
