/** Templates: handlebars in strict mode for config files. */
export { renderTemplate, renderTemplateFile, type RenderTemplateOptions } from "./render.js";
