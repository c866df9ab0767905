//! Which certificates HTTPS trusts: the system's CA bundle when it has one
//! (`SSL_CERT_FILE` / `SSL_CERT_DIR` honoured), else the Mozilla root set
//! built into the binary, so a bare image without `ca-certificates` still
//! reaches `https://` servers and never fails to build a client for an
//! `http://` one.

/// Where HTTPS roots come from for this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    System,
    Bundled,
}

impl Roots {
    /// The system's bundle if it holds at least one certificate.
    pub fn detect() -> Roots {
        let found = rustls_native_certs::load_native_certs();
        if found.certs.is_empty() {
            Roots::Bundled
        } else {
            Roots::System
        }
    }

    /// What messages say about it.
    pub fn describe(self) -> &'static str {
        match self {
            Roots::System => "the system's CA bundle",
            Roots::Bundled => "the built-in Mozilla roots (no system CA bundle found)",
        }
    }
}

/// The built-in roots as DER certificates.
fn bundled_der() -> impl Iterator<Item = &'static [u8]> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| c.as_ref())
}

/// The built-in roots as PEM, for a client that takes no DER (aws-config's).
pub(super) fn bundled_pem() -> impl Iterator<Item = String> {
    use base64::Engine;
    bundled_der().map(|der| {
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = (text.as_bytes().chunks(64))
            .map(|line| std::str::from_utf8(line).unwrap_or_default())
            .collect();
        let body = lines.join("\n");
        format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
    })
}

/// Object-store client options trusting `roots`.
pub fn object_store_options(
    options: object_store::ClientOptions,
    roots: Roots,
) -> object_store::ClientOptions {
    match roots {
        Roots::System => options,
        Roots::Bundled => bundled_der()
            .filter_map(|der| object_store::Certificate::from_der(der).ok())
            .fold(options.with_no_system_certificates(true), |o, c| {
                o.with_root_certificate(c)
            }),
    }
}

/// A plain HTTP client builder trusting `roots`.
pub fn reqwest_builder(roots: Roots) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder();
    match roots {
        Roots::System => builder,
        Roots::Bundled => builder.tls_certs_only(
            bundled_der().filter_map(|der| reqwest::Certificate::from_der(der).ok()),
        ),
    }
}
