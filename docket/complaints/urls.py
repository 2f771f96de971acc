from django.urls import path

from .views import actions, files, frontdesk, history, intake, pages, privacy, thumbs

app_name = "complaints"
urlpatterns = [
    path("", pages.complaint_list, name="list"),
    path("new/", intake.complaint_new, name="new"),
    path("work/", pages.work_queue, name="work"),
    path("search/", pages.complaint_search, name="search"),
    path("filters/save/", pages.saved_filter_save, name="filter_save"),
    path("filters/<int:pk>/delete/", pages.saved_filter_delete, name="filter_delete"),
    path("reconciliation/", frontdesk.reconciliation, name="reconciliation"),
    path("box/", frontdesk.box_log, name="box_log"),
    path("worklog/", frontdesk.work_log, name="work_log"),  # seed part 2 (issue 15): 工作信息记录本
    path("lookup/", intake.intake_lookup, name="lookup"),
    path("people/", actions.people_options, name="people"),
    path("bulk/hand-over/", actions.bulk_hand_over, name="bulk_hand_over"),  # bulk hand-over (issue 14)
    path("places/", intake.intake_places, name="places"),
    path("privacy/", privacy.privacy_log, name="privacy_log"),
    path("<int:pk>/", pages.complaint_detail, name="detail"),
    path("<int:pk>/receipt/", pages.complaint_receipt, name="receipt"),
    path("<int:pk>/reveal/", pages.complaint_reveal, name="reveal"),
    path("<int:pk>/form/", pages.complaint_record_form, name="record_form"),
    path("<int:pk>/reply/<int:number>/", pages.reply_letter, name="reply_letter"),
    path("<int:pk>/act/<slug:action>/", actions.complaint_action, name="action"),
    path("<int:pk>/attachments/<int:attachment_id>/", files.attachment_download, name="attachment"),
    # agent features (issue 14): the complainant's history, attachment thumbnails
    path("<int:pk>/history/", history.complainant_history, name="history"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/thumb/",
        thumbs.attachment_thumbnail,
        name="attachment_thumb",
    ),
]
