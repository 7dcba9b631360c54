/** Templates: handlebars in strict mode for config files, and Jinja2 (`.j2`) as Ansible renders it. */
export { renderTemplate, renderTemplateFile, isJinjaTemplate, warmTemplates, type RenderTemplateOptions } from "./render.js";
export { renderJinja, type RenderJinjaOptions } from "./jinja-render.js";
