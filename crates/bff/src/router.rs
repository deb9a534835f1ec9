//! Dispatch of API calls by constructor id. Handlers are registered with their generated function
//! type, whose `CONSTRUCTOR_ID` is the key, so there is no hand-written id table.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use echo_tl::{Deserializable, Identifiable, RemoteCall, Serializable};

use crate::context::{BffDeps, RpcContext, RpcError};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type Erased = Box<
    dyn for<'a> Fn(
            Arc<BffDeps>,
            &'a RpcContext,
            &'a [u8],
        ) -> BoxFuture<'a, Result<Vec<u8>, RpcError>>
        + Send
        + Sync,
>;

struct Entry {
    name: &'static str,
    needs_login: bool,
    call: Erased,
}

/// Method table: constructor id → handler.
#[derive(Default)]
pub struct Router {
    methods: HashMap<u32, Entry>,
}

impl Router {
    /// Registers a handler that requires a logged-in user (401 AUTH_KEY_UNREGISTERED otherwise).
    pub fn method<F, H, Fut>(&mut self, handler: H)
    where
        F: RemoteCall + Identifiable + Deserializable + Send + 'static,
        F::Return: Serializable,
        H: Fn(Arc<BffDeps>, RpcContext, F) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<F::Return, RpcError>> + Send + 'static,
    {
        self.add::<F, H, Fut>(true, handler)
    }

    /// Registers a handler callable before login (help.*, auth.sendCode, ...).
    pub fn public_method<F, H, Fut>(&mut self, handler: H)
    where
        F: RemoteCall + Identifiable + Deserializable + Send + 'static,
        F::Return: Serializable,
        H: Fn(Arc<BffDeps>, RpcContext, F) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<F::Return, RpcError>> + Send + 'static,
    {
        self.add::<F, H, Fut>(false, handler)
    }

    fn add<F, H, Fut>(&mut self, needs_login: bool, handler: H)
    where
        F: RemoteCall + Identifiable + Deserializable + Send + 'static,
        F::Return: Serializable,
        H: Fn(Arc<BffDeps>, RpcContext, F) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<F::Return, RpcError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let call: Erased = Box::new(move |deps, ctx, body| {
            let handler = handler.clone();
            Box::pin(async move {
                // Generated functions decode their fields only; the constructor id was
                // already read by `dispatch`.
                let fields = body.get(4..).unwrap_or_default();
                let request = F::from_bytes(fields)
                    .map_err(|_| RpcError::bad_request("INPUT_REQUEST_INVALID"))?;
                let result = handler(deps, ctx.clone(), request).await?;
                Ok(result.to_bytes())
            })
        });
        let name = echo_tl::name_for_id(F::CONSTRUCTOR_ID);
        let previous = self.methods.insert(
            F::CONSTRUCTOR_ID,
            Entry {
                name,
                needs_login,
                call,
            },
        );
        debug_assert!(previous.is_none(), "method {name} registered twice");
    }

    pub fn ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.methods.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    pub async fn dispatch(
        &self,
        deps: &Arc<BffDeps>,
        ctx: &RpcContext,
        body: &[u8],
    ) -> Result<Vec<u8>, RpcError> {
        let Some(id) = body
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        else {
            return Err(RpcError::bad_request("INPUT_REQUEST_TOO_SHORT"));
        };
        let Some(entry) = self.methods.get(&id) else {
            let name = echo_tl::name_for_id(id);
            return Err(if name == "(unknown)" {
                RpcError::bad_request(&format!("INPUT_METHOD_INVALID_{id}"))
            } else {
                tracing::debug!(method = name, "method not implemented");
                RpcError::bad_request("METHOD_NOT_IMPLEMENTED")
            });
        };
        if entry.needs_login && ctx.user_id.is_none() {
            return Err(RpcError::unauthorized());
        }
        tracing::trace!(method = entry.name, "rpc");
        (entry.call)(deps.clone(), ctx, body).await
    }
}
