"""The in-store assistant: Arabic-first questions and answers from the catalogue, store settings
and FAQ; spoken replies; escalation to staff.

    knowledge = load_knowledge()  # shipped defaults, or the sync client's cache
    assistant = Assistant(knowledge, raise_help_request=sync_client_help_request)
    reply = assistant.ask("كم سعر الروج الأحمر؟")  # intent, confidence, reply, lang, escalate, answered
"""

from .assistant import Assistant, AssistantReply, AssistantTurn, RaiseHelpRequest
from .knowledge import FaqEntry, Knowledge, KnowledgeError, StoreInfo, load_knowledge
from .normalize import detect_lang, normalize

__all__ = [
    "Assistant",
    "AssistantReply",
    "AssistantTurn",
    "FaqEntry",
    "Knowledge",
    "KnowledgeError",
    "RaiseHelpRequest",
    "StoreInfo",
    "detect_lang",
    "load_knowledge",
    "normalize",
]
