//! Running tera: a page's view and sidebar into its template, with errors naming the
//! template file and line.

use super::context::{NavItemView, PageView};
use crate::theme::describe_tera_error;

use super::Renderer;

impl<'a> Renderer<'a> {
    pub(super) fn render_template(
        &self,
        template: &str,
        page: &PageView,
        nav: &[NavItemView],
    ) -> Result<String, String> {
        crate::profile::time(crate::profile::Activity::Templates, || {
            self.render_template_timed(template, page, nav)
        })
    }

    pub(super) fn render_template_timed(
        &self,
        template: &str,
        page: &PageView,
        nav: &[NavItemView],
    ) -> Result<String, String> {
        let mut context = tera::Context::new();
        context.insert_value("site", self.site_value.clone());
        let page = tera::Value::try_from_serializable(page).map_err(|error| error.to_string())?;
        let nav_html = match &self.sidebar_html {
            Some(sidebar) => tera::Value::from(sidebar.render(nav)?),
            None => tera::Value::none(),
        };
        let nav = self.nav_value(nav)?;
        context.insert_value("page", page);
        context.insert_value("nav", nav);
        context.insert_value("nav_html", nav_html);
        self.input
            .theme
            .tera
            .render(template, &context)
            .map_err(|error| {
                format!(
                    "template {template} failed: {}",
                    describe_tera_error(&error, &self.input.theme.origins)
                )
            })
    }
}
