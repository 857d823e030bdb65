//! A news site's page on another origin than majlis, serving the snippet.

use actix_web::{App, HttpResponse, HttpServer, web};

pub struct HostSite {
    pub origin: String,
}

/// Serve `html` at `/` on a new port; the origin uses `localhost` so it
/// differs from majlis on 127.0.0.1 even before the ports are compared.
pub fn serve(html: String) -> HostSite {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let html = html.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let html = html.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(html)
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    HostSite {
        origin: format!("http://localhost:{port}"),
    }
}

/// A plain article page with the snippet a customer pastes.
pub fn article_page(majlis: &str, site: &str, article: &str, lang: &str) -> String {
    let dir = if lang == "ar" { "rtl" } else { "ltr" };
    format!(
        r#"<!doctype html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Article</title>
<style>body{{font-family:serif;max-width:760px;margin:auto}} label,input,button{{all:unset;color:red}}</style></head>
<body><h1>مقال تجريبي</h1><p>نص المقال.</p>
<script src="{majlis}/embed.js" data-site="{site}" data-article="{article}" data-lang="{lang}"
  data-article-url="https://news.example/{article}" data-article-title="مقال تجريبي" async></script>
</body></html>"#
    )
}
