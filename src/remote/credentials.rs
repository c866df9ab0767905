//! S3 credentials found as the AWS SDKs find them, in the order AWS documents,
//! with aws-config's own providers tried one by one so the answer names where
//! it came from: the environment (`AWS_ACCESS_KEY_ID`…), the selected profile
//! of the shared files (`AWS_PROFILE`, `AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`: keys, or a role assumed through STS), a web
//! identity token file (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, through
//! STS), ECS container credentials (`AWS_CONTAINER_CREDENTIALS_*`), EC2
//! instance metadata (IMDSv2). [`find`] answers a [`Found`]: an `object_store`
//! credential provider that fetches temporary keys again before they expire
//! (or none: anonymous requests), the profile's `region` and `endpoint_url`,
//! and a description of the source that never holds a key.
//!
//! aws-config reads the process environment itself (it takes no other); `tool`
//! never changes its environment, so that is the snapshot `Credentials::var`
//! reads too. Only a bucket's opening calls this: mirrors never do.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::profile::{Profile, ProfileFileCredentialsProvider, ProfileSet};
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::sdk_config::SharedHttpClient;
use object_store::CredentialProvider;
use object_store::aws::{AwsCredential, AwsCredentialProvider};

use super::error::{Error, Result};
use super::open::Credentials;
use super::tls::{Roots, bundled_pem};
use super::{redact, with_cause};

/// A shared config or credentials file larger than this is refused.
const FILE_LIMIT: u64 = 1 << 20;
/// Temporary keys are fetched again this long before they expire.
const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);

/// What the chain found for one bucket.
pub(super) struct Found {
    /// `None`: nothing anywhere, requests go out anonymous.
    pub provider: Option<AwsCredentialProvider>,
    /// Where the credentials came from (never the credentials themselves).
    pub source: String,
    /// The selected profile's `region` and `endpoint_url`, for when no
    /// variable sets them.
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

/// Runs the chain; `region` (from the variables) is the one STS is asked in,
/// else the profile's, else `us-east-1`; STS is trusted through `roots`.
pub(super) async fn find(
    creds: &Credentials<'_>,
    region: Option<String>,
    roots: Roots,
) -> Result<Found> {
    half_set_keys(creds)?;
    token_file_bounded(creds)?;
    let shared = Shared::read(creds).await?;
    let region = region
        .or_else(|| shared.get("region"))
        .unwrap_or_else(|| "us-east-1".into());
    let conf = ProviderConfig::default()
        .with_region(Some(aws_config::Region::new(region)))
        .with_http_client(http_client(roots));
    let mut found = Found {
        provider: None,
        source: "no credentials found (anonymous requests): set AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY, a profile (AWS_PROFILE), or run with a role"
            .into(),
        region: shared.get("region"),
        endpoint: shared.get("endpoint_url"),
    };
    for (source, provider) in sources(creds, &conf, &shared) {
        match provider.provide_credentials().await {
            Ok(keys) => {
                found.provider = Some(Arc::new(Refreshing::new(provider, &keys)));
                found.source = source;
                break;
            }
            Err(CredentialsError::CredentialsNotLoaded(_)) => continue,
            Err(e) => {
                return Err(Error::Credentials {
                    from: source,
                    why: with_cause(&e),
                });
            }
        }
    }
    Ok(found)
}

/// The client STS, ECS and instance metadata are asked through, trusting
/// what the rest of `tool` trusts: a bare image without a CA bundle reaches
/// STS with the built-in roots, as it reaches buckets and mirrors.
fn http_client(roots: Roots) -> SharedHttpClient {
    use aws_smithy_http_client::tls;
    let store = match roots {
        Roots::System => tls::TrustStore::default(),
        Roots::Bundled => {
            let empty = tls::TrustStore::empty();
            bundled_pem().fold(empty, |store, pem| store.with_pem_certificate(pem))
        }
    };
    let mode = tls::rustls_provider::CryptoMode::AwsLc;
    let builder = aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(mode));
    match tls::TlsContext::builder().with_trust_store(store).build() {
        Ok(context) => builder.tls_context(context).build_https(),
        Err(_) => builder.build_https(),
    }
}

/// One of the two key variables without the other is a mistake, not a
/// reason to look elsewhere (the SDKs would go on, to other keys or none).
fn half_set_keys(creds: &Credentials<'_>) -> Result<()> {
    let (key, secret) = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    let (set, unset) = match ((creds.var)(key), (creds.var)(secret)) {
        (Some(_), None) => (key, secret),
        (None, Some(_)) => (secret, key),
        _ => return Ok(()),
    };
    Err(Error::Credentials {
        from: "the environment".into(),
        why: format!("{set} is set without {unset}: set both, or neither"),
    })
}

/// A web identity token is a few kilobytes; aws-config reads the file
/// whole, so one that is no regular file or is larger than any token is
/// refused before it is read.
fn token_file_bounded(creds: &Credentials<'_>) -> Result<()> {
    const MAX_TOKEN: u64 = 64 * 1024;
    let Some(path) = (creds.var)("AWS_WEB_IDENTITY_TOKEN_FILE") else {
        return Ok(());
    };
    let why = match std::fs::metadata(&path) {
        Err(_) => return Ok(()), // aws-config says it is missing, as the SDKs do
        Ok(m) if !m.is_file() => "it is not a regular file".to_string(),
        Ok(m) if m.len() > MAX_TOKEN => {
            format!(
                "it is larger than any token ({} bytes; at most {MAX_TOKEN})",
                m.len()
            )
        }
        Ok(_) => return Ok(()),
    };
    Err(Error::Credentials {
        from: format!("the web identity token file {path}"),
        why,
    })
}

/// The providers in AWS's order, each with how it is named in messages.
fn sources(
    creds: &Credentials<'_>,
    conf: &ProviderConfig,
    shared: &Shared,
) -> Vec<(String, SharedCredentialsProvider)> {
    let var = creds.var;
    let profile = ProfileFileCredentialsProvider::builder()
        .configure(conf)
        .profile_name(&shared.name)
        .profile_files(shared.files())
        .build();
    let [web_identity, ecs, imds] = names(var);
    vec![
        (
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment".into(),
            SharedCredentialsProvider::new(EnvironmentVariableCredentialsProvider::new()),
        ),
        (shared.describe(), SharedCredentialsProvider::new(profile)),
        (
            web_identity,
            SharedCredentialsProvider::new(
                WebIdentityTokenCredentialsProvider::builder()
                    .configure(conf)
                    .build(),
            ),
        ),
        (
            ecs,
            SharedCredentialsProvider::new(
                EcsCredentialsProvider::builder().configure(conf).build(),
            ),
        ),
        (
            imds,
            SharedCredentialsProvider::new(
                ImdsCredentialsProvider::builder()
                    .configure(conf)
                    .imds_client(imds_client(creds, conf))
                    .build(),
            ),
        ),
    ]
}

/// How the web identity, ECS and instance metadata sources are named in
/// messages: what their variables say (never a token).
fn names(var: &dyn Fn(&str) -> Option<String>) -> [String; 3] {
    let web_identity = [
        ("role", "AWS_ROLE_ARN"),
        ("token file", "AWS_WEB_IDENTITY_TOKEN_FILE"),
    ]
    .map(|(what, name)| {
        let value = var(name).unwrap_or_else(|| format!("unset: {name}"));
        format!("{what} {value}")
    })
    .join(", ");
    let ecs = var("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .or_else(|| {
            var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                .map(|r| format!("http://169.254.170.2{r}"))
        })
        .unwrap_or_default();
    let imds =
        var("AWS_EC2_METADATA_SERVICE_ENDPOINT").unwrap_or_else(|| "http://169.254.169.254".into());
    [
        format!("web identity ({web_identity})"),
        format!("ECS container credentials ({})", redact(&ecs)),
        format!("EC2 instance metadata (IMDSv2, {})", redact(&imds)),
    ]
}

/// The instance metadata client with the AWS CLI's patience: one attempt
/// of one second unless `AWS_METADATA_SERVICE_TIMEOUT` (seconds) or
/// `AWS_METADATA_SERVICE_NUM_ATTEMPTS` say otherwise, so a machine off EC2
/// with an anonymous bucket waits a second, not the SDK's four attempts.
fn imds_client(creds: &Credentials<'_>, conf: &ProviderConfig) -> aws_config::imds::Client {
    let number = |name: &str, default: u32, max: u32| {
        (creds.var)(name)
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .map_or(default, |n| n.min(max))
    };
    let timeout = Duration::from_secs(u64::from(number("AWS_METADATA_SERVICE_TIMEOUT", 1, 60)));
    aws_config::imds::Client::builder()
        .configure(conf)
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .max_attempts(number("AWS_METADATA_SERVICE_NUM_ATTEMPTS", 1, 10))
        .build()
}

/// One shared file: where it is and what it holds (empty when missing).
struct File {
    path: PathBuf,
    /// The variable that named it, when one did.
    named_by: Option<&'static str>,
    text: Option<String>,
}

/// The shared config and credentials files, read once (bounded, UTF-8) and
/// parsed by aws-config, and the profile selected in them.
struct Shared {
    name: String,
    config: File,
    credentials: File,
    /// Each file's profiles on their own, to say which file holds one.
    in_config: ProfileSet,
    in_credentials: ProfileSet,
}

impl Shared {
    async fn read(creds: &Credentials<'_>) -> Result<Shared> {
        let var = creds.var;
        let explicit = var("AWS_PROFILE");
        let name = explicit.clone().unwrap_or_else(|| "default".into());
        let config = File::read(creds, "AWS_CONFIG_FILE", ".aws/config")?;
        let credentials = File::read(creds, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")?;
        let shared = Shared {
            in_config: config.parse(EnvConfigFileKind::Config, &name).await?,
            in_credentials: credentials
                .parse(EnvConfigFileKind::Credentials, &name)
                .await?,
            name,
            config,
            credentials,
        };
        if explicit.is_some() && shared.profile().is_none() {
            return Err(Error::NoProfile {
                profile: shared.name,
                files: format!(
                    "{} or {}",
                    shared.config.shown(),
                    shared.credentials.shown()
                ),
            });
        }
        Ok(shared)
    }

    /// The selected profile, from the credentials file first.
    fn profile(&self) -> Option<&Profile> {
        (self.in_credentials.get_profile(&self.name))
            .or_else(|| self.in_config.get_profile(&self.name))
    }

    /// A setting of the selected profile; the credentials file wins, as in
    /// the SDKs.
    fn get(&self, key: &str) -> Option<String> {
        [&self.in_credentials, &self.in_config]
            .iter()
            .find_map(|set| set.get_profile(&self.name)?.get(key))
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_string())
    }

    /// Both files as aws-config's credentials provider reads them: the
    /// same bytes, never read a second time.
    fn files(&self) -> EnvConfigFiles {
        let mut files = EnvConfigFiles::builder();
        for (kind, file) in [
            (EnvConfigFileKind::Config, &self.config),
            (EnvConfigFileKind::Credentials, &self.credentials),
        ] {
            files = files.with_contents(kind, file.text.clone().unwrap_or_default());
        }
        files.build()
    }

    /// `profile `ci` in /home/docs/.aws/credentials (role arn:…)`.
    fn describe(&self) -> String {
        let file = match self.in_credentials.get_profile(&self.name) {
            Some(_) => &self.credentials,
            None => &self.config,
        };
        let role = self
            .get("role_arn")
            .map(|arn| format!(" (role {arn})"))
            .unwrap_or_default();
        format!("profile `{}` in {}{role}", self.name, file.path.display())
    }
}

impl File {
    /// The file `variable` names (`~/` expanded), else `default` under home.
    fn read(creds: &Credentials<'_>, variable: &'static str, default: &str) -> Result<File> {
        let named = (creds.var)(variable);
        let path = match named.as_deref() {
            Some(p) => match p.strip_prefix("~/") {
                Some(rest) => creds.home.join(rest),
                None => PathBuf::from(p),
            },
            None => creds.home.join(default),
        };
        let bad = |why: String| Error::SharedFile {
            path: path.display().to_string(),
            why,
        };
        let text = match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(bad(e.to_string())),
            Ok(m) if m.len() > FILE_LIMIT => {
                return Err(bad(format!("it is over {FILE_LIMIT} bytes")));
            }
            Ok(_) => {
                let bytes = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
                let text =
                    String::from_utf8(bytes).map_err(|_| bad("it is not UTF-8 text".into()))?;
                Some(text)
            }
        };
        Ok(File {
            path,
            named_by: named.map(|_| variable),
            text,
        })
    }

    /// The file's profiles (`profile` selected), parsed by aws-config.
    async fn parse(&self, kind: EnvConfigFileKind, profile: &str) -> Result<ProfileSet> {
        let files = EnvConfigFiles::builder()
            .with_contents(kind, self.text.clone().unwrap_or_default())
            .build();
        let env = aws_types::os_shim_internal::Env::from_slice(&[("AWS_PROFILE", profile)]);
        let fs = aws_types::os_shim_internal::Fs::from_slice(&[]);
        aws_config::profile::load(&fs, &env, &files, None)
            .await
            .map_err(|e| Error::SharedFile {
                path: self.path.display().to_string(),
                why: with_cause(&e),
            })
    }

    /// `/path (AWS_CONFIG_FILE, missing)` and the like, for messages.
    fn shown(&self) -> String {
        let notes: Vec<&str> = (self.named_by.iter().copied())
            .chain(self.text.is_none().then_some("missing"))
            .collect();
        match notes.is_empty() {
            true => self.path.display().to_string(),
            false => format!("{} ({})", self.path.display(), notes.join(", ")),
        }
    }
}

/// The keys of one provider for `object_store`, fetched again from that
/// provider before they expire (static keys never are).
#[derive(Debug)]
struct Refreshing {
    provider: SharedCredentialsProvider,
    current: tokio::sync::Mutex<Current>,
}

#[derive(Debug)]
struct Current {
    keys: Arc<AwsCredential>,
    expiry: Option<SystemTime>,
}

impl Current {
    fn of(keys: &aws_credential_types::Credentials) -> Current {
        Current {
            keys: Arc::new(AwsCredential {
                key_id: keys.access_key_id().to_string(),
                secret_key: keys.secret_access_key().to_string(),
                token: keys.session_token().map(str::to_string),
            }),
            expiry: keys.expiry(),
        }
    }

    fn fresh(&self) -> bool {
        self.expiry
            .is_none_or(|at| SystemTime::now() + REFRESH_BEFORE < at)
    }
}

impl Refreshing {
    fn new(provider: SharedCredentialsProvider, keys: &aws_credential_types::Credentials) -> Self {
        Refreshing {
            provider,
            current: tokio::sync::Mutex::new(Current::of(keys)),
        }
    }
}

#[async_trait::async_trait]
impl CredentialProvider for Refreshing {
    type Credential = AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<AwsCredential>> {
        let mut current = self.current.lock().await;
        if !current.fresh() {
            let keys = self.provider.provide_credentials().await.map_err(|e| {
                object_store::Error::Generic {
                    store: "S3",
                    source: with_cause(&e).into(),
                }
            })?;
            *current = Current::of(&keys);
        }
        Ok(Arc::clone(&current.keys))
    }
}
