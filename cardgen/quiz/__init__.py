"""Quizzes built from the question bank: selection that teaches, versions, and the quiz as
plain data (`.quiz.json`) that every page is rendered from. Nothing here knows HTML."""

from cardgen.quiz.model import Quiz, QuizQuestion, QuizVersion
from cardgen.quiz.select import make_quiz

__all__ = ["Quiz", "QuizQuestion", "QuizVersion", "make_quiz"]
