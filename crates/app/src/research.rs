//! The research side: researchers' accounts and their verification by a steward, and
//! studies from draft to closed. Approval, rejection and closing by a resolution are
//! governance (a motion's decision); this layer reads them to say where a study stands.

use crate::{App, AppError, MemberCaller, ResearcherCaller, StudyReader};
use datacoop_accounts::members;
use datacoop_api::MemberId;
use datacoop_consent::studies::{self, Reader};
use datacoop_consent::{researchers, ConsentError};
use datacoop_consent_core::wire::{
    ResearcherList, ResearcherQuery, ResearcherRegisterRequest, ResearcherView, StudyCreateRequest,
    StudyList, StudyQuery, StudyView,
};
use datacoop_governance as gov;
use uuid::Uuid;

impl StudyReader {
    fn reader(self) -> Reader {
        match self {
            StudyReader::Member(id) => Reader {
                account: id.uuid(),
                researcher: false,
            },
            StudyReader::Researcher(id) => Reader {
                account: id.uuid(),
                researcher: true,
            },
        }
    }
}

impl App {
    fn now_i64(&self) -> i64 {
        self.clock.now_micros() as i64
    }

    /// Opens a researcher's account: the same key material as a member's (made and
    /// sealed on their machine), and their name and affiliation, in one transaction.
    pub async fn register_researcher(
        &self,
        req: ResearcherRegisterRequest,
        address: &str,
    ) -> Result<MemberId, AppError> {
        researchers::check_profile(&req.name, &req.affiliation)?;
        let account = req.account.member_id;
        let (name, affiliation, now) = (req.name, req.affiliation, self.now_i64());
        let also: members::AlsoOnRegister =
            Box::new(move |conn| researchers::insert(conn, account, &name, &affiliation, now));
        Ok(members::register_with(
            &self.db,
            &self.hasher,
            &self.registrations,
            req.account,
            address,
            Some(also),
        )
        .await?)
    }

    /// Whether an account is a researcher's (their login gets a researcher's token).
    pub(crate) async fn is_researcher(&self, account: Uuid) -> Result<bool, AppError> {
        Ok(self
            .db
            .read(move |c| researchers::is_researcher(c, account))
            .await?)
    }

    /// The researcher's own profile and verification.
    pub async fn researcher_me(
        &self,
        caller: &ResearcherCaller,
    ) -> Result<ResearcherView, AppError> {
        let id = caller.id.uuid();
        Ok(self.db.read(move |c| researchers::get(c, id, true)).await?)
    }

    async fn require_steward(&self, caller: &MemberCaller) -> Result<(), AppError> {
        let (id, ctx) = (caller.id.uuid(), self.gov());
        if self.db.read(move |c| gov::is_steward(c, id, &ctx)).await? {
            Ok(())
        } else {
            Err(gov::GovError::NotSteward.into())
        }
    }

    /// Researchers, for stewards (e.g. those waiting for verification).
    pub async fn researchers(
        &self,
        caller: &MemberCaller,
        q: ResearcherQuery,
    ) -> Result<ResearcherList, AppError> {
        self.require_steward(caller).await?;
        Ok(self.db.read(move |c| researchers::list(c, &q)).await?)
    }

    /// A steward verifies a researcher as bona fide: an entry of the governance log.
    pub async fn verify_researcher(
        &self,
        caller: &MemberCaller,
        researcher: Uuid,
    ) -> Result<ResearcherView, AppError> {
        self.require_steward(caller).await?;
        let now = self.now_i64();
        let view = self
            .db
            .write(move |c| researchers::verify(c, researcher, now))
            .await?;
        tracing::info!(%researcher, "researcher verified");
        Ok(view)
    }

    /// Stores a study's draft, made on the researcher's machine.
    pub async fn create_study(
        &self,
        caller: &ResearcherCaller,
        req: StudyCreateRequest,
    ) -> Result<StudyView, AppError> {
        let (me, now) = (caller.id.uuid(), self.now_i64());
        let id = self
            .db
            .write(move |c| studies::create(c, me, &req, now))
            .await?;
        self.study(StudyReader::Researcher(caller.id), id).await
    }

    /// Submits the researcher's draft for the cooperative's decision.
    pub async fn submit_study(
        &self,
        caller: &ResearcherCaller,
        study: Uuid,
    ) -> Result<StudyView, AppError> {
        let (me, now) = (caller.id.uuid(), self.now_i64());
        self.db
            .write(move |c| studies::submit(c, me, study, now))
            .await?;
        tracing::info!(%study, "study submitted");
        self.study(StudyReader::Researcher(caller.id), study).await
    }

    /// The researcher closes their study.
    pub async fn close_study(
        &self,
        caller: &ResearcherCaller,
        study: Uuid,
    ) -> Result<StudyView, AppError> {
        let (me, now) = (caller.id.uuid(), self.now_i64());
        self.db
            .write(move |c| studies::close(c, me, study, now))
            .await?;
        tracing::info!(%study, "study closed by its researcher");
        self.study(StudyReader::Researcher(caller.id), study).await
    }

    /// One study, as the reader may see it.
    pub async fn study(&self, reader: StudyReader, study: Uuid) -> Result<StudyView, AppError> {
        let (reader, now) = (reader.reader(), self.now_i64());
        Ok(self
            .db
            .read(move |c| -> Result<StudyView, ConsentError> {
                let row = studies::get_row(c, reader, study)?;
                studies::view(c, reader, row, now)
            })
            .await?)
    }

    /// A page of the studies the reader may see.
    pub async fn studies(&self, reader: StudyReader, q: StudyQuery) -> Result<StudyList, AppError> {
        let (reader, now) = (reader.reader(), self.now_i64());
        Ok(self
            .db
            .read(move |c| studies::list(c, reader, &q, now))
            .await?)
    }
}
