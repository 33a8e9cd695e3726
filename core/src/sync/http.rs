//! [`Remote`] over HTTP with reqwest: protocol v1 against one dispatch server.

use std::sync::RwLock;
use std::time::Duration;

use runsheet_protocol::{
    ErrorBody, LocationAck, LocationBatch, NearbyHandovers, PullResponse, PushRequest,
    PushResponse, PushTokenAck, PushTokenRegistration, TakenHandover,
};
use serde::de::DeserializeOwned;

use super::{PullPosition, Remote, Token};
use crate::error::{Error, Result};

/// The dispatch server over HTTP(S).
pub struct HttpRemote {
    http: reqwest::Client,
    base: String,
    token: RwLock<Token>,
    /// The server's WAL position after this phone's last push (kept in memory: after a
    /// restart, pulls go to the primary until the next push).
    wal_lsn: RwLock<Option<String>>,
}

impl std::fmt::Debug for HttpRemote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRemote")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HttpRemote {
    /// A client for the server at `base_url` (`http://host:port`, no trailing path).
    pub fn new(base_url: &str, token: Token) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::InvalidArgument(
                "the server URL must start with http:// or https://".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .gzip(true)
            .user_agent(concat!("runsheet-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::InvalidArgument(format!("HTTP client: {e}")))?;
        Ok(HttpRemote {
            http,
            base,
            token: RwLock::new(token),
            wal_lsn: RwLock::new(None),
        })
    }

    fn bearer(&self) -> String {
        let t = self.token.read().unwrap_or_else(|p| p.into_inner());
        format!("Bearer {}", t.secret())
    }

    /// Keeps the WAL position a push answered (a server without read replicas answers none:
    /// then the next pulls go to the primary).
    fn keep_wal_lsn(&self, lsn: Option<&str>) {
        *self.wal_lsn.write().unwrap_or_else(|p| p.into_inner()) = lsn.map(str::to_owned);
    }

    /// `min_lsn` for the next pull, when the last push answered a WAL position.
    fn min_lsn(&self) -> Vec<(&'static str, String)> {
        let lsn = self.wal_lsn.read().unwrap_or_else(|p| p.into_inner());
        lsn.iter().map(|l| ("min_lsn", l.clone())).collect()
    }

    fn pull_request(&self, client_id: &str, at: &PullPosition) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}/v1/sync/pull", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .query(&[
                ("client_id", client_id),
                ("cursor", &at.cursor.to_string()),
                ("settings_version", &at.settings_version.to_string()),
                ("checklists_after", &at.checklists_after.to_string()),
                ("ratings_after", &at.ratings_after.to_string()),
                ("cases_after", &at.cases_after.to_string()),
                ("recalls_after", &at.recalls_after.to_string()),
                ("offers_after", &at.offers_after.to_string()),
                ("vehicle_version", &at.vehicle_version.to_string()),
                ("earnings_after", &at.earnings_after.to_string()),
                ("training_after", &at.training_after.to_string()),
                ("qualifications_after", &at.qualifications_after.to_string()),
            ])
    }
}

#[async_trait::async_trait]
impl Remote for HttpRemote {
    async fn push(&self, req: &PushRequest) -> Result<PushResponse> {
        let resp = self
            .http
            .post(format!("{}/v1/sync/push", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(req)
            .send()
            .await
            .map_err(transport_error)?;
        let answer: PushResponse = decode(resp).await?;
        self.keep_wal_lsn(answer.wal_lsn.as_deref());
        Ok(answer)
    }

    async fn pull(&self, client_id: &str, at: &PullPosition) -> Result<PullResponse> {
        let resp = self
            .pull_request(client_id, at)
            .query(&self.min_lsn())
            .send()
            .await
            .map_err(transport_error)?;
        decode(resp).await
    }

    async fn put_attachment(&self, sha256: &str, bytes: Vec<u8>) -> Result<()> {
        let resp = self
            .http
            .put(format!("{}/v1/attachments/{sha256}", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes)
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .map_err(transport_error)?;
        decode::<serde_json::Value>(resp).await.map(|_| ())
    }

    async fn push_locations(&self, batch: &LocationBatch) -> Result<LocationAck> {
        let resp = self
            .http
            .post(format!("{}/v1/sync/locations", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(batch)
            .send()
            .await
            .map_err(transport_error)?;
        decode(resp).await
    }

    async fn register_push_token(&self, reg: &PushTokenRegistration) -> Result<PushTokenAck> {
        let resp = self
            .http
            .put(format!("{}/v1/sync/push-token", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(reg)
            .send()
            .await
            .map_err(transport_error)?;
        decode(resp).await
    }

    /// A long-poll: `GET /v1/sync/pull` with `wait_s` and the server's default page size; the
    /// server answers as soon as a change commits, or after `wait`. Its page is the next
    /// sync's first one (see [`Remote::wait_for_change`]).
    async fn wait_for_change(
        &self,
        client_id: &str,
        at: &PullPosition,
        wait: Duration,
    ) -> Result<Option<PullResponse>> {
        let wait_s = wait.as_secs().clamp(1, 30);
        let resp = self
            .pull_request(client_id, at)
            .query(&[("wait_s", wait_s.to_string())])
            .timeout(Duration::from_secs(wait_s + 15))
            .send()
            .await
            .map_err(transport_error)?;
        let page: PullResponse = decode(resp).await?;
        Ok((!page.is_quiet()).then_some(page))
    }

    fn set_token(&self, token: Token) {
        *self.token.write().unwrap_or_else(|p| p.into_inner()) = token;
    }

    async fn nearby_handovers(&self, lat: f64, lon: f64) -> Result<NearbyHandovers> {
        let resp = self
            .http
            .get(format!("{}/v1/handovers/nearby", self.base))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .query(&[("lat", lat), ("lon", lon)])
            .send()
            .await
            .map_err(transport_error)?;
        decode(resp).await
    }

    async fn take_handover(&self, task_id: &str) -> Result<TakenHandover> {
        let mut url = reqwest::Url::parse(&self.base)
            .map_err(|e| Error::InvalidArgument(format!("server URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| Error::InvalidArgument("the server URL cannot take a path".into()))?
            .extend(["v1", "handovers", task_id, "take"]);
        let resp = self
            .http
            .post(url)
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(transport_error)?;
        decode(resp).await
    }
}

fn transport_error(e: reqwest::Error) -> Error {
    // reqwest's Display can include the URL; ours has no personal data or token in it.
    Error::Offline(e.without_url().to_string())
}

async fn decode<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    let status = resp.status();
    // Only the delta-seconds form; an HTTP date is treated as "no advice".
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let bytes = resp.bytes().await.map_err(transport_error)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes)
            .map_err(|e| Error::BadResponse(format!("HTTP {status}: {e}")));
    }
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(Error::AuthRequired);
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    let (code, reason, mutation_id) = match body {
        Some(b) => (b.error, b.reason, b.mutation_id.or(b.expected_mutation_id)),
        None => (
            "unknown".to_owned(),
            "no readable error body".to_owned(),
            None,
        ),
    };
    Err(Error::Server {
        status: status.as_u16(),
        code,
        reason,
        retry_after,
        mutation_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull_url(remote: &HttpRemote) -> String {
        remote
            .pull_request("phone", &PullPosition::default())
            .query(&remote.min_lsn())
            .build()
            .map(|r| r.url().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn a_pull_carries_the_wal_position_of_the_last_push_until_a_push_answers_none() {
        let remote = HttpRemote::new("http://127.0.0.1:9", Token::new("t")).unwrap();
        assert!(!pull_url(&remote).contains("min_lsn"));
        remote.keep_wal_lsn(Some("16/B374D848"));
        assert!(pull_url(&remote).contains("min_lsn=16%2FB374D848"));
        remote.keep_wal_lsn(None);
        assert!(!pull_url(&remote).contains("min_lsn"));
    }
}
