"""Quizzes built from the question bank: selection, distractors, and the items' answers."""

from cardgen.quiz.model import Quiz, QuizItem
from cardgen.quiz.select import make_quiz

__all__ = ["Quiz", "QuizItem", "make_quiz"]
