//! One way for a form to call the server: whether the call is under way, and the error it
//! answered (kept for the form's banner and field messages until the next call succeeds).

use std::future::Future;

use dioxus::prelude::*;

use crate::domain::ApiError;

#[derive(Clone, Copy, PartialEq)]
pub struct Call {
    pub pending: Signal<bool>,
    pub error: Signal<Option<ApiError>>,
}

pub fn use_call() -> Call {
    Call { pending: use_signal(|| false), error: use_signal(|| None) }
}

impl Call {
    /// Runs the call: its value when it succeeded (the error cleared), `None` when it failed
    /// (the error kept for the form).
    pub async fn run<T>(mut self, call: impl Future<Output = Result<T, ApiError>>) -> Option<T> {
        self.pending.set(true);
        let result = call.await;
        self.pending.set(false);
        match result {
            Ok(v) => {
                self.error.set(None);
                Some(v)
            }
            Err(e) => {
                self.error.set(Some(e));
                None
            }
        }
    }

    /// A refusal found before calling (a field left empty): shown like the server's.
    pub fn refuse(mut self, error: ApiError) {
        self.error.set(Some(error));
    }

    /// The message for one field, when the last answer named it.
    pub fn field(&self, name: &str) -> Option<String> {
        self.error.read().as_ref().and_then(|e| e.field_message(name)).map(str::to_string)
    }
}
