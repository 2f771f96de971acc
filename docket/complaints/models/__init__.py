from .category import Category
from .choices import (
    TERMINAL_STATES,
    Channel,
    ClaimState,
    ClosureKind,
    ContactMethod,
    Exemption,
    FollowUpMethod,
    FollowUpRating,
    IssueState,
    Kind,
    Level,
    Method,
    QmDecision,
    ReplyState,
    ReviewStage,
    Severity,
    State,
    UnclosedOutcome,
)
from .complaint import Attachment, Complaint, ComplaintIssue, CoSigner, ReceiptCounter
from .events import AppendOnlyError, ComplaintEvent
from .handling import CompensationClaim, DeveloperForward, FollowUp, NonconformityReport, Reply, ReplyReview
from .intake_log import DailyReconciliation, SavedFilter, SuggestionBoxOpening
from .obligations import Obligation
from .privacy import PersonalDataAccess
from .procedure import FirstContact

__all__ = [
    "TERMINAL_STATES",
    "AppendOnlyError",
    "Attachment",
    "Category",
    "Channel",
    "ClaimState",
    "ClosureKind",
    "ContactMethod",
    "FirstContact",
    "CoSigner",
    "CompensationClaim",
    "Complaint",
    "DailyReconciliation",
    "SavedFilter",
    "PersonalDataAccess",
    "SuggestionBoxOpening",
    "ComplaintEvent",
    "ComplaintIssue",
    "DeveloperForward",
    "Exemption",
    "FollowUp",
    "FollowUpMethod",
    "FollowUpRating",
    "IssueState",
    "Kind",
    "Level",
    "Method",
    "QmDecision",
    "NonconformityReport",
    "Obligation",
    "ReceiptCounter",
    "Reply",
    "ReplyReview",
    "ReplyState",
    "ReviewStage",
    "Severity",
    "State",
    "UnclosedOutcome",
]
